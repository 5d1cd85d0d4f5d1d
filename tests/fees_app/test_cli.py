"""`linli fees …` and `linli notice …` as the property office runs them (click objects, CliRunner)."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.commands.fees import fees_group
from bot.commands.notices import notice_group
from bot.config import get_settings
from core.fees.ledger import premises_index
from core.register import import_register
from core.register_file import parse_register
from storage.db import Database
from tests.fees_app.conftest import DISCLOSURE, SCHEDULE, owner_of
from tests.helpers import make_estate

AT = "2026-11-10T10:00:00+08:00"
REGISTER = """estate,building,unit,room,use,area_registered,area_surveyed,area_contract,owner_id,owner_name,owner_kind,delivered,phone
C1,1,1,101,residential,100.00,,,A,甲,person,yes,
C1,1,1,102,residential,80.00,,,B,乙,person,yes,
C1,2,1,101,residential,120.00,,,C,丙,person,yes,
"""


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("LINLI_DATABASE_URL", db_url)
    monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()

    async def setup() -> None:
        db = Database(db_url)
        async with db.session() as s:
            estate = await make_estate(s, "C1", name="命令小区")
            await import_register(s, "C1", parse_register(REGISTER.encode(), "r.csv"))
            ids = await premises_index(s, estate.id)
            await owner_of(s, "a", ids[("1", "1", "101")])
            await owner_of(s, "c", ids[("2", "1", "101")])
        await db.dispose()

    asyncio.run(setup())
    yield tmp_path
    get_settings.cache_clear()


def run(group, *args: str) -> Result:  # type: ignore[no-untyped-def]
    return CliRunner().invoke(group, list(args), catch_exceptions=False)


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8-sig")
    return str(path)


def test_schedule_bills_payments_and_arrears(env: Path) -> None:
    schedule = write(env / "s.json", json.dumps(SCHEDULE, ensure_ascii=False))
    r = run(fees_group, "bills", "generate", "--estate", "C1", "--period", "2026-10")
    assert r.exit_code == 1 and "没有生效的收费标准" in r.output
    r = run(fees_group, "schedule", "set", "--estate", "C1", "--file", schedule, "--effective", "2020-01-01")
    assert r.exit_code == 0 and "物业服务费 1.20元/㎡·月" in r.output
    shown = run(fees_group, "schedule", "show", "--estate", "C1")
    assert "  WY\t物业服务费\t1.20元/㎡·月\t政府指导价（基准价1.20元，浮动幅度±10%）" in shown.output
    assert json.loads(run(fees_group, "schedule", "show", "--estate", "C1", "--json").output)["items"][0]["rate"] == "1.20"

    assert "车位 1" in run(fees_group, "facts", "--estate", "C1", "--room", "1-1-102", "--parking", "1").output
    r = run(fees_group, "shared", "add", "--estate", "C1", "--item", "GG", "--from", "2026-10-01", "--to",
            "2026-10-31", "--amount", "600.00", "--description", "10月公共电费")
    assert r.exit_code == 0, r.output
    r = run(fees_group, "bills", "generate", "--estate", "C1", "--period", "2026-10")
    # 300㎡ share 600.00: 2.00/㎡. 101: 120 + 200 = 320; 102: 96 + 150 + 160 = 406; 2-1-101: 144 + 240 = 384
    assert "新生成账单 3 张，合计 1110.00元" in r.output, r.output
    assert "已有账单 3 张未变动" in run(fees_group, "bills", "generate", "--estate", "C1", "--period", "2026-10").output

    bad = write(env / "bad.csv", "小区,楼栋,单元,房号,金额,缴费时间,流水号\nC1,1,1,101,320,2026-10-20,T1\n"
                                 "C1,1,1,105,10,2026-10-20,T2\nC1,1,1,102,abc,2026-10-20,T3\n")
    r = run(fees_group, "payments", "import", bad, "--estate", "C1")
    assert r.exit_code == 2 and "数据库未做任何修改" in r.output
    assert "bad.csv 第4行 金额: 不是有效的金额 'abc'" in r.output
    good = write(env / "good.csv", "小区,楼栋,单元,房号,金额,缴费时间,流水号\nC1,1,1,101,320,2026-10-20,T1\n")
    assert "已导入 1 笔缴费，合计 320.00元" in run(fees_group, "payments", "import", good, "--estate", "C1").output
    r = run(fees_group, "payments", "add", "--estate", "C1", "--room", "1-1-102", "--amount", "100",
            "--paid-at", "2026-10-25", "--ref", "柜台-7")
    assert r.exit_code == 0 and "已记录 1-1-102 缴费 100.00元" in r.output
    assert run(fees_group, "payments", "add", "--estate", "C1", "--room", "1-1-109", "--amount", "1").exit_code == 1

    lines = run(fees_group, "arrears", "--estate", "C1", "--at", AT).output.splitlines()
    assert lines == ["1-1-102\t306.00\t2026-10", "2-1-101\t384.00\t2026-10", "共 2 户逾期未缴，合计 690.00元"]
    report = run(fees_group, "collection", "--estate", "C1", "--chart", str(env / "rate.png"), "--at", AT).output
    # 320.00 + 100.00 of 1110.00 = 37.837…% → 37.84%; building 1: 420 / 726 = 57.85%
    assert "全小区：37.84%（已收 ¥420.00 / 应收 ¥1,110.00；3户，2户未缴清）" in report
    assert "  1号楼：57.85%（1/2户未缴清）\n  2号楼：0.00%（1/1户未缴清）" in report
    assert (env / "rate.png").read_bytes()[:4] == b"\x89PNG"


def test_reminders_preview_and_run(env: Path) -> None:
    run(fees_group, "schedule", "set", "--estate", "C1", "--file",
        write(env / "s.json", json.dumps(SCHEDULE, ensure_ascii=False)), "--effective", "2020-01-01")
    run(fees_group, "bills", "generate", "--estate", "C1", "--period", "2026-10")
    night = run(fees_group, "reminders", "preview", "--estate", "C1", "--at", "2026-11-10T22:00:00+08:00").output
    assert "1号楼1单元101：欠费 ¥120.00（2026年10月） — 不发送：21:00至次日08:00不发送提醒（11月11日 08:00后可发）" in night
    assert "1号楼1单元102：欠费 ¥96.00（2026年10月） — 不发送：没有已绑定的业主账号，无法私信" in night
    assert "已提醒 0 户" in run(fees_group, "reminders", "run", "--estate", "C1", "--at", "2026-11-10T22:00:00+08:00").output
    assert "已提醒 2 户" in run(fees_group, "reminders", "run", "--estate", "C1", "--at", "2026-11-11T09:00:00+08:00").output
    again = run(fees_group, "reminders", "preview", "--estate", "C1", "--at", "2026-11-12T09:00:00+08:00").output
    assert "不发送：距上次提醒不足7天（11月18日 09:00后可发）" in again


def test_disclosure_and_notices(env: Path) -> None:
    run(fees_group, "schedule", "set", "--estate", "C1", "--file",
        write(env / "s.json", json.dumps(SCHEDULE, ensure_ascii=False)), "--effective", "2020-01-01")
    r = run(fees_group, "disclosure", "publish", "--estate", "C1")
    assert r.exit_code == 1 and "缺少必填项：收费对象" in r.output and "缺少必填项：服务人员" in r.output
    draft = {k: v for k, v in DISCLOSURE.items() if k != "service_standard"}
    run(fees_group, "disclosure", "draft", "--estate", "C1", "--file",
        write(env / "d.json", json.dumps(draft, ensure_ascii=False)))
    shown = run(fees_group, "disclosure", "show", "--estate", "C1").output
    assert "【收费公示】命令小区" in shown and "暂不能发布：\n  · 缺少必填项：服务标准" in shown
    run(fees_group, "disclosure", "draft", "--estate", "C1", "--file",
        write(env / "d2.json", json.dumps({"service_standard": "二级"}, ensure_ascii=False)))
    assert "可以发布。" in run(fees_group, "disclosure", "show", "--estate", "C1").output
    r = run(fees_group, "disclosure", "publish", "--estate", "C1", "--as", "committee")
    assert r.exit_code == 0 and "已通知 2 位认证业主" in r.output
    pdf = env / "gs.pdf"
    assert run(fees_group, "disclosure", "export", "--estate", "C1", "-o", str(pdf)).exit_code == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"

    r = run(notice_group, "publish", "--estate", "C1", "--title", "停电通知", "--body", "周五9点停电两小时",
            "--building", "2")
    assert r.exit_code == 0 and "已向命令小区2号楼发布公告「停电通知」" in r.output and "通知 1 位认证业主" in r.output
    r = run(notice_group, "publish", "--estate", "C1", "--title", "x", "--body", "太短的标题")
    assert r.exit_code == 1 and "公告标题需要2到60个字" in r.output
    listed = run(notice_group, "list", "--estate", "C1").output.splitlines()
    assert [ln.split("\t")[2:5] for ln in listed] == [["2号楼", "notice", "停电通知"],
                                                        ["全小区", "fee_disclosure", "收费公示"]]
