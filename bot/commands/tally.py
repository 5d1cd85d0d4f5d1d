"""`linli tally`: the verdict of an owners' vote from a roster file and a ballots file.

For committees that vote on paper (product.md §5). Exit code 2 and no verdict when any row is
wrong: every problem of both files is printed, naming the file and the row.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from core.register_file import Ballot, RegisterFileError, RegisterRow, RowProblem, read_ballots, read_register
from core.voting import MatterType, build_electorate, explain, tally, verdict_json

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("tally")
@click.option("--roster", required=True, type=_FILE, help="register file (CSV or XLSX), one row per premises")
@click.option("--ballots", required=True, type=_FILE, help="ballots file (CSV or XLSX), one row per ballot")
@click.option("--matter", required=True, type=click.Choice([t.value for t in MatterType]),
              help="ordinary: more than half; major: at least 3/4 (民法典 art. 278)")
@click.option("--json", "as_json", is_flag=True, help="print the verdict as one JSON object")
def tally_command(roster: Path, ballots: Path, matter: str, as_json: bool) -> None:
    """Count an owners' vote offline and print the verdict."""
    problems: list[RowProblem] = []
    rows: list[RegisterRow] = []
    cast: list[Ballot] = []
    # Both files are read before giving up, so one run lists every problem to fix.
    try:
        rows = read_register(roster)
    except RegisterFileError as e:
        problems += e.problems
    try:
        cast = read_ballots(ballots)
    except RegisterFileError as e:
        problems += e.problems
    if not problems:
        try:
            electorate = build_electorate(rows, source=roster.name)
            verdict = tally(electorate, cast, MatterType(matter), source=ballots.name)
        except RegisterFileError as e:
            problems += e.problems
    if problems:
        click.echo(f"发现 {len(problems)} 处问题，未计票：", err=True)
        for p in problems:
            click.echo(str(p), err=True)
        raise click.exceptions.Exit(2)
    click.echo(json.dumps(verdict_json(verdict), ensure_ascii=False) if as_json else explain(verdict))
