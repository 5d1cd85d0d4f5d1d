"""Register import: all-or-nothing, row-numbered errors, exact areas, re-import, export."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.register import export_rows, import_register
from core.register_file import RegisterFileError, parse_register, read_register
from storage.db import Database
from storage.models import Owner, Premises
from tests.helpers import make_estate

DATA = Path(__file__).resolve().parent.parent / "data"

GOOD = """estate,building,unit,room,use,area_registered,area_surveyed,area_contract,owner_id,owner_name,owner_kind,delivered,phone
T1,3,2,501,residential,89.37,,,O1,甲,person,yes,13800001111
T1,3,2,502,住宅,,96.12,97.00,O2,乙、丙,个人,是,
T1,3,2,601,residential,,,118.62,DEV,开发商,developer,yes,
"""


async def _counts(db: Database) -> tuple[int, int]:
    async with db.session() as s:
        p = await s.scalar(select(func.count(Premises.id)))
        o = await s.scalar(select(func.count(Owner.id)))
    return int(p or 0), int(o or 0)


async def test_good_file_imports_with_exact_areas(db: Database) -> None:
    async with db.session() as s:
        await make_estate(s, "T1")
    rows = parse_register(GOOD.encode(), "good.csv")
    async with db.session() as s:
        report = await import_register(s, "T1", rows, "good.csv")
    assert (report.created, report.updated, report.owners) == (3, 0, 3)
    async with db.session() as s:
        areas = {p.room: (p.area_registered, p.area_surveyed, p.area_contract)
                 for p in await s.scalars(select(Premises))}
        total = await s.scalar(select(func.sum(Premises.area_contract)))
    assert areas["501"] == (Decimal("89.37"), None, None)
    assert areas["502"] == (None, Decimal("96.12"), Decimal("97.00"))
    # Summed in SQL, still exact.
    assert total == Decimal("215.62")


async def test_contract_example_imports(db: Database) -> None:
    rows = read_register(DATA / "register_example.csv")
    estate_code = rows[0].estate
    async with db.session() as s:
        await make_estate(s, estate_code)
    async with db.session() as s:
        report = await import_register(s, estate_code, rows, "register_example.csv")
    assert report.created == len(rows)
    assert (await _counts(db))[0] == len(rows)


@pytest.mark.parametrize("line, column_hint", [
    ("T1,3,2,701,residential,abc,,,O7,丁,person,yes,", "登记面积"),
    ("T1,3,2,701,garage,70.00,,,O7,丁,person,yes,", "用途"),
    ("T1,3,2,701,residential,70.00,,,,丁,person,yes,", "业主编号"),
])
async def test_bad_row_rejected_with_row_number_and_nothing_written(
        db: Database, line: str, column_hint: str) -> None:
    async with db.session() as s:
        await make_estate(s, "T1")
    async with db.session() as s:
        await import_register(s, "T1", parse_register(GOOD.encode(), "good.csv"))
    before = await _counts(db)
    bad = GOOD + "T1,3,2,702,residential,70.00,,,O8,戊,person,yes,\n" + line + "\n"
    with pytest.raises(RegisterFileError) as e:
        parse_register(bad.encode(), "bad.csv")
    messages = [str(p) for p in e.value.problems]
    assert any("第6行" in m and column_hint in m for m in messages), messages
    assert await _counts(db) == before


async def test_rows_for_another_estate_rejected_whole(db: Database) -> None:
    async with db.session() as s:
        await make_estate(s, "T1")
    text = GOOD + "T9,3,2,801,residential,70.00,,,O9,己,person,yes,\n"
    rows = parse_register(text.encode(), "mixed.csv")
    with pytest.raises(RegisterFileError) as e:
        async with db.session() as s:
            await import_register(s, "T1", rows, "mixed.csv")
    assert any(p.row == 5 for p in e.value.problems)
    assert await _counts(db) == (0, 0)


async def test_xlsx_with_chinese_headers_and_reimport_updates(db: Database, tmp_path: Path) -> None:
    async with db.session() as s:
        await make_estate(s, "T1")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["小区", "楼栋", "单元", "房号", "用途", "登记面积", "实测面积", "合同面积", "业主编号",
               "业主姓名", "业主类型", "是否交付", "电话"])
    ws.append(["T1", "1", "1", "101", "住宅", 89.1, None, None, "A", "张三", "个人", "是", None])
    ws.append(["T1", "1", "1", "102", "商业", None, None, "120.5", "B", "李四", "个人", "否", None])
    path = tmp_path / "register.xlsx"
    wb.save(path)
    async with db.session() as s:
        await import_register(s, "T1", read_register(path))
    ws.cell(row=2, column=6, value=90.25)  # corrected registered area
    wb.save(path)
    async with db.session() as s:
        report = await import_register(s, "T1", read_register(path))
    assert (report.created, report.updated) == (0, 2)
    async with db.session() as s:
        rows = await export_rows(s, "T1")
    assert rows[0][:4] == ["estate", "building", "unit", "room"]
    by_room = {r[3]: r for r in rows[1:]}
    assert by_room["101"][5] == "90.25"
    assert by_room["102"][4:6] == ["commercial", ""] and by_room["102"][7] == "120.50"
    assert by_room["102"][11] == "no"


async def test_export_round_trips(db: Database) -> None:
    async with db.session() as s:
        await make_estate(s, "T1")
    async with db.session() as s:
        await import_register(s, "T1", parse_register(GOOD.encode(), "good.csv"))
    async with db.session() as s:
        rows = await export_rows(s, "T1")
    csv_text = "\n".join(",".join(r) for r in rows) + "\n"
    again = parse_register(csv_text.encode(), "export.csv")
    original = parse_register(GOOD.encode(), "good.csv")
    key = lambda r: (r.building, r.unit, r.room)  # noqa: E731
    strip = lambda r: (r.use, r.area_registered, r.area_surveyed, r.area_contract, r.owner_id,  # noqa: E731
                       r.owner_kind, r.delivered)
    assert sorted(map(strip, again), key=str) == sorted(map(strip, original), key=str)
    assert sorted(map(key, again)) == sorted(map(key, original))
