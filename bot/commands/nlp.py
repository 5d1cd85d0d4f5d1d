"""`linli nlp train` and `linli classify`: the resident-message classifier from the command line.

`linli classify [FILE]` reads JSON lines {"id": ..., "text": ...} from FILE (or standard input,
also for "-") and writes one JSON line per input line to standard output (nlp/batch.py has the
exact contract). Malformed lines produce an error line with their line number; the others are
still classified, the exit code stays 0 and the number of bad lines goes to standard error.
Exit code 2 when no trained model is installed.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import click


@click.group("nlp")
def nlp_group() -> None:
    """Understanding residents: train the message classifier."""


@nlp_group.command("train")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="labelled JSON lines (default: nlp/data/labelled); only its train split is read")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="model file to write (default: nlp/model/classifier.json)")
@click.option("--intent-c", type=float, default=None,
              help="fix C of the intent head's logistic regression (default: cross-validated)")
@click.option("--category-c", type=float, default=None,
              help="fix C of the category head's logistic regression (default: cross-validated)")
def train_command(data_dir: Path | None, out: Path | None, intent_c: float | None,
                  category_c: float | None) -> None:
    """Train on the train split and write the model that ships with the package."""
    from nlp import dataset
    from nlp.model import MODEL_PATH
    from nlp.train import train

    report = train(data_dir or dataset.LABELLED_DIR, out or MODEL_PATH, intent_c, category_c)
    for line in report.lines():
        click.echo(line)


@click.command("classify")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-", required=False)
def classify_command(file: TextIO) -> None:
    """Classify resident messages given as JSON lines {"id", "text"}; prints JSON lines."""
    from nlp.batch import classify_lines, dumps
    from nlp.model import ModelMissing

    out = sys.stdout
    if (getattr(out, "encoding", "utf-8") or "").lower() not in ("utf-8", "utf8") and hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8")  # JSON lines are UTF-8 whatever the terminal's locale
    errors = 0
    try:
        for row in classify_lines(file):
            errors += "error" in row
            out.write(dumps(row) + "\n")
    except ModelMissing as exc:
        click.echo(f"linli classify: {exc}", err=True)
        sys.exit(2)
    out.flush()
    if errors:
        click.echo(f"linli classify: {errors} line(s) could not be read", err=True)


if __name__ == "__main__":  # `python -m bot.commands.nlp classify FILE`, before the CLI is wired
    cli = click.Group(commands={"nlp": nlp_group, "classify": classify_command})
    cli()
