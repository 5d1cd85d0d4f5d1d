"""The register through the desk client, as an admin: overview, export, import all or nothing with
row-numbered problems, binding codes shown once (only hashes kept), console accounts."""
from __future__ import annotations

import csv
import html
import io
import re
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlalchemy import func, select

from core.register import EXPORT_COLUMNS
from core.verification import code_hash
from storage.models import Building, Owner, Premises, VerificationCode
from tests.console.conftest import Desk, login_of

CODE = re.compile(r'<div class="code">([2-9A-Z]{4}-[2-9A-Z]{4})</div>')


def _text(page: str) -> str:
    bare = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))
    return re.sub(r"\s+", " ", html.unescape(bare))


async def _codes(desk: Desk) -> list[VerificationCode]:
    async with desk.rt.db.session() as s:
        return list(await s.scalars(select(VerificationCode)))


async def _export_csv(c, desk: Desk) -> list[list[str]]:  # type: ignore[no-untyped-def]
    r = await c.get(f"/console/register/{desk.estate.id}/export", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="register-YG.csv"' in r.headers["content-disposition"]
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


async def _upload(c, desk: Desk, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return await c.c.post(f"/console/register/{desk.estate.id}/import", data={"csrf": c.csrf},
                          files={"file": (name, data, "text/csv")})


async def test_overview_lists_every_estate_with_its_register(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    page = _text((await c.get("/console/register")).text)
    assert "阳光花园 YG 7 200 0 (0%) 4" in page  # 7 buildings, 200 premises, none bound, the demo's 4 codes
    assert "绿园" in page and "晴天小区" in page


async def test_console_accounts_are_listed_with_their_roles(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    page = _text((await c.get("/console/register/accounts")).text)
    assert login_of("property") in page and "物业·阳光花园" in page
    assert "街道·" in page and "管理员·全部" in page and "pw-" not in page


async def test_export_csv_and_xlsx_in_the_contract_format(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    rows = await _export_csv(c, desk)
    assert rows[0] == EXPORT_COLUMNS and len(rows) == 201 and all(r[0] == "YG" for r in rows[1:])
    x = await c.get(f"/console/register/{desk.estate.id}/export", params={"format": "xlsx"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet is not None
    assert [[v or "" for v in r] for r in sheet.iter_rows(values_only=True)] == rows


async def test_import_updates_the_register(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    rows = await _export_csv(c, desk)
    rows[1][EXPORT_COLUMNS.index("owner_name")] = "新业主名"
    rows.append(["YG", "7", "1", "101", "residential", "88.00", "", "", "NEW-1", "张新", "person", "yes", ""])
    r = await _upload(c, desk, "roster.csv", _csv(rows))
    assert r.status_code == 303, _text(r.text)
    assert "新增 1 户，更新 200 户，新业主 1 名" in unquote(r.cookies["linli_flash"])
    async with desk.rt.db.session() as s:
        names = set(await s.scalars(select(Owner.name).where(Owner.estate_id == desk.estate.id)))
        seven = await s.scalar(select(func.count(Premises.id)).join(Building).where(
            Premises.estate_id == desk.estate.id, Building.number == "7"))
    assert "新业主名" in names and "张新" in names and seven == 1


async def test_a_register_file_with_a_bad_row_changes_nothing(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    rows = await _export_csv(c, desk)
    rows[1][EXPORT_COLUMNS.index("owner_name")] = "不应保存"
    rows[3][EXPORT_COLUMNS.index("use")] = "villa"  # spreadsheet row 4 (the header is row 1)
    r = await _upload(c, desk, "roster.csv", _csv(rows))
    assert r.status_code == 400
    page = _text(r.text)
    assert "导入失败，数据库未做任何修改" in page and "第4行 用途：" in page and "villa" in page
    async with desk.rt.db.session() as s:
        assert await s.scalar(select(Owner.id).where(Owner.name == "不应保存")) is None
    foreign = await _export_csv(c, desk)
    foreign[2][0] = "LY"
    r = await _upload(c, desk, "roster.csv", _csv(foreign))
    assert r.status_code == 400 and "第3行" in _text(r.text) and "与导入的小区 'YG' 不一致" in _text(r.text)


async def test_import_without_a_usable_file_says_so(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    r = await c.post(f"/console/register/{desk.estate.id}/import")
    assert r.status_code == 400 and "请选择要上传的文件" in r.text
    r = await _upload(c, desk, "roster.xlsx", b"PK\x03\x04 broken")
    assert r.status_code == 400 and "无法读取 XLSX 文件" in _text(r.text)


async def test_codes_for_a_building_are_shown_once_and_only_hashes_kept(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    before = len(await _codes(desk))
    r = await c.post(f"/console/register/{desk.estate.id}/codes", {"building": "2"})
    assert r.status_code == 200
    shown = CODE.findall(r.text)
    assert len(shown) == 32 and len(set(shown)) == 32 and "只显示这一次" in r.text
    stored = await _codes(desk)
    assert len(stored) == before + 32
    hashes = {v.code_hash for v in stored}
    assert all(code_hash(desk.rt.services.secret, code) in hashes for code in shown)
    assert not any(code.replace("-", "") in v.code_hash for code in shown for v in stored)
    assert "2号楼1单元101" in r.text and "3号楼" not in r.text  # that building only


async def test_codes_for_chosen_premises(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    async with desk.rt.db.session() as s:
        chosen = list(await s.scalars(select(Premises.id).where(Premises.estate_id == desk.estate.id)
                                      .order_by(Premises.id).limit(3)))
    before = len(await _codes(desk))
    r = await c.c.post(f"/console/register/{desk.estate.id}/codes",
                       data={"csrf": c.csrf, "premises": [str(p) for p in chosen]})
    assert r.status_code == 200 and len(CODE.findall(r.text)) == 3
    assert {v.premises_id for v in (await _codes(desk))[before:]} == set(chosen)


async def test_codes_refuse_an_empty_or_foreign_choice(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    before = len(await _codes(desk))
    empty = await c.post(f"/console/register/{desk.estate.id}/codes", {"building": ""})
    assert empty.status_code == 400 and "请选择楼栋或至少一户房屋" in empty.text
    nowhere = await c.post(f"/console/register/{desk.estate.id}/codes", {"building": "99"})
    assert nowhere.status_code == 400 and "阳光花园没有99号楼" in nowhere.text
    r = await c.post(f"/console/register/{desk.estate.id}/codes", {"premises": str(10 ** 7)})
    assert r.status_code == 400 and "不属于该小区" in r.text
    junk = await c.post(f"/console/register/{desk.estate.id}/codes", {"premises": "1 OR 1=1"})
    assert junk.status_code == 400 and "所选房屋无效" in junk.text
    assert len(await _codes(desk)) == before


async def test_only_admins_reach_the_register(desk: Desk) -> None:
    before = len(await _codes(desk))
    for label in ("property", "committee", "street", "community"):
        c = await desk.signed_in(label)
        assert (await c.get("/console/register")).status_code == 403
        assert (await c.post(f"/console/register/{desk.estate.id}/codes", {"building": "1"})).status_code == 403
    assert len(await _codes(desk)) == before


async def test_register_pages_speak_english_on_request(desk: Desk) -> None:
    c = await desk.signed_in("admin")
    c.c.cookies.set("linli_lang", "en")
    assert "Open codes" in _text((await c.get("/console/register")).text)
    page = _text((await c.get(f"/console/register/{desk.estate.id}")).text)
    assert "Import the register" in page and "Issue binding codes" in page and "导入名册" not in page
