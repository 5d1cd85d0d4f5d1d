"""`linli tally` on the worked example of register-format.md and on broken files."""
from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from bot.commands.tally import tally_command

DATA = Path(__file__).parent / "data"
REGISTER = DATA / "register_example.csv"
BALLOTS = DATA / "ballots_example.csv"

# The example object of register-format.md, verbatim; the data files were built by hand to give it.
SPEC_EXAMPLE = """{"totals": {"area": "1180.20", "persons": 8},
 "participants": {"area": "880.20", "persons": 7},
 "yes": {"area": "449.00", "persons": 3},
 "quorum": true, "approved_area": true, "approved_persons": false, "passed": false}"""
KEYS = ["totals", "participants", "yes", "quorum", "approved_area", "approved_persons", "passed"]


def run(*args: str | Path):
    return CliRunner().invoke(tally_command, [str(a) for a in args])


def test_command_is_named_tally() -> None:
    assert tally_command.name == "tally"


def test_example_as_a_major_matter() -> None:
    # 449.00/880.20 ≈ 0.510 < 3/4 and 3/7 < 3/4: neither approval holds; the quorum does
    # (880.20/1180.20 ≈ 0.746 ≥ 2/3, 7/8 ≥ 2/3).
    result = run("--roster", REGISTER, "--ballots", BALLOTS, "--matter", "major", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    expected = json.loads(SPEC_EXAMPLE) | {"approved_area": False}
    assert out == expected
    assert list(out) == KEYS
    assert result.stdout.count("\n") == 1  # one object, one line


def test_example_as_an_ordinary_matter_gives_the_spec_object() -> None:
    # 449.00/880.20 > 1/2 approves by area; 3/7 is not more than half of the persons.
    result = run("--roster", REGISTER, "--ballots", BALLOTS, "--matter", "ordinary", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out == json.loads(SPEC_EXAMPLE)
    assert list(out) == KEYS
    # Same text as the spec's object, only without its line breaks.
    assert result.stdout.rstrip("\n") == "".join(SPEC_EXAMPLE.split("\n"))


def test_example_in_chinese() -> None:
    result = run("--roster", REGISTER, "--ballots", BALLOTS, "--matter", "major")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "总面积 1180.20㎡，总人数 8 人。" in text
    assert "参与表决面积 880.20㎡，占总面积 74.58%（880.20/1180.20，≥2/3，达到）" in text
    assert "参与表决人数 7 人，占总人数 87.50%（7/8，≥2/3，达到）" in text
    assert "同意面积 449.00㎡，占参与表决面积 51.01%（449.00/880.20，≥3/4，未达到）" in text
    assert "同意人数 3 人，占参与表决人数 42.86%（3/7，≥3/4，未达到）" in text
    assert "结论：未通过" in text


def test_example_files_hold_the_cases_they_claim() -> None:
    text = REGISTER.read_text(encoding="utf-8")
    assert ",developer,no," in text          # the developer's unsold flats
    assert ",person,no," in text             # a sale not yet delivered
    assert "乙、丙" in text                   # a co-owned flat
    assert text.count(",O1,") == 2           # one owner of a flat and a shop


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())


def test_xlsx_roster_gives_the_same_verdict(tmp_path: Path) -> None:
    import csv

    with REGISTER.open(encoding="utf-8") as f:
        rows: list[list[object]] = [list(r) for r in csv.reader(f)]
    # Areas as numeric cells, as Excel keeps them.
    for r in rows[1:]:
        for i in (5, 6, 7):
            r[i] = float(r[i]) if r[i] else None
    roster = tmp_path / "名册.xlsx"
    _write_xlsx(roster, rows)
    result = run("--roster", roster, "--ballots", BALLOTS, "--matter", "ordinary", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(SPEC_EXAMPLE)


def test_unknown_owner_and_malformed_rows_exit_2_without_verdict(tmp_path: Path) -> None:
    ballots = tmp_path / "votes.csv"
    ballots.write_text("owner_id,choice,channel,cast_at\n"
                       "O1,yes,online,2024-06-01T09:00\n"
                       "O2,maybe,online,2024-06-01T09:00\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text(REGISTER.read_text(encoding="utf-8").replace("130.00,,130.20", "abc,,"), encoding="utf-8")
    result = run("--roster", roster, "--ballots", ballots, "--matter", "major", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    # Both files' problems are listed in one run.
    assert "roster.csv 第4行 登记面积: 不是有效的面积 'abc'" in result.stderr
    assert "votes.csv 第3行 表决意见:" in result.stderr


def test_ballot_for_someone_not_on_the_register(tmp_path: Path) -> None:
    ballots = tmp_path / "votes.csv"
    ballots.write_text(BALLOTS.read_text(encoding="utf-8") + "X99,yes,paper,2024-06-05T09:00,\n", encoding="utf-8")
    result = run("--roster", REGISTER, "--ballots", ballots, "--matter", "ordinary")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "votes.csv 第13行 业主编号: 'X99' 不在名册中" in result.stderr


@pytest.mark.parametrize("matter", ["", "Major", "raise_maintenance_fund"])
def test_matter_is_ordinary_or_major(matter: str) -> None:
    result = run("--roster", REGISTER, "--ballots", BALLOTS, "--matter", matter)
    assert result.exit_code == 2 and result.stdout == ""
