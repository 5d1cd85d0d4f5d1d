"""The `linli` command as a user runs it: register import/export/codes and the terminal chat."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from bot.cli import main

GOOD = """小区,楼栋,单元,房号,用途,登记面积,实测面积,合同面积,业主编号,业主姓名,业主类型,是否交付,电话
T1,1,1,101,住宅,89.37,,,A,张三,个人,是,
T1,1,1,102,住宅,,,120.50,B,李四,个人,否,
"""


def _env(db_url: str, tmp: Path) -> dict[str, str]:
    return {"LINLI_DATABASE_URL": db_url, "LINLI_DATA_DIR": str(tmp / "data"), "LINLI_DEMO": "false",
            "LINLI_SECRET_KEY": "cli-test"}


def _linli(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env={**os.environ, **env}, timeout=120)


def test_import_codes_export(db_url: str, tmp_path: Path) -> None:
    env = _env(db_url, tmp_path)
    r = _linli(["register", "import", str(_write(tmp_path / "r.csv", GOOD)), "--estate", "T1"], env)
    assert r.returncode != 0 and "没有编号为 'T1' 的小区" in r.stderr
    r = _linli(["estate", "add", "--code", "T1", "--name", "幸福里", "--district", "D9",
                "--street", "S9:幸福街道", "--community", "C9:幸福社区"], env)
    assert r.returncode != 0 and "D9:名称" in r.stderr
    r = _linli(["estate", "add", "--code", "T1", "--name", "幸福里", "--district", "D9:示范区",
                "--street", "S9:幸福街道", "--community", "C9:幸福社区", "--committee"], env)
    assert r.returncode == 0, r.stderr
    r = _linli(["register", "import", str(_write(tmp_path / "r.csv", GOOD)), "--estate", "T1"], env)
    assert r.returncode == 0, r.stderr
    assert "新增 2 户" in r.stdout
    bad = GOOD + "T1,1,1,103,住宅,-5,,,C,王五,个人,是,\n"
    r = _linli(["register", "import", str(_write(tmp_path / "bad.csv", bad)), "--estate", "T1"], env)
    assert r.returncode == 2 and "第4行" in r.stderr and "数据库未做任何修改" in r.stderr

    out = tmp_path / "codes.xlsx"
    r = _linli(["register", "codes", "--estate", "T1", "--building", "1", "-o", str(out)], env)
    assert r.returncode == 0, r.stderr
    rows = list(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:4] == ("小区", "楼栋", "单元", "房号") and len(rows) == 3
    code = rows[1][5]
    assert isinstance(code, str) and len(code) == 9

    r = _linli(["chat", "--user", "tester"], env, stdin=f"/bind {code}\n/me\n")
    assert "绑定成功" in r.stdout and "1号楼1单元10" in r.stdout, r.stdout + r.stderr

    r = _linli(["estate", "list"], env)
    assert "T1\t幸福里\t2 户" in r.stdout
    r = _linli(["register", "export", "--estate", "T1", "-o", str(tmp_path / "out.csv")], env)
    assert r.returncode == 0
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        exported = list(csv.DictReader(f))
    assert [(x["room"], x["area_registered"], x["area_contract"], x["delivered"]) for x in exported] == [
        ("101", "89.37", "", "yes"), ("102", "", "120.50", "no")]


def test_help_lists_every_command() -> None:
    r = CliRunner().invoke(main, ["--help"])
    assert r.exit_code == 0
    for name in ("run", "chat", "db", "estate", "register", "tally", "classify", "nlp"):
        assert f"  {name}" in r.output


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path
