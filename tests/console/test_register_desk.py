"""core.register_desk on the demo estate, without the web: what the register pages are built on."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete

from core.accounts import create_account
from core.fees import desk
from core.register_desk import SelectionError, console_accounts, issue_for, register_overview, to_xlsx
from core.verification import VerificationPolicy
from storage.db import Database
from storage.models import RoleGrant
from storage.repositories.people import PeopleRepository
from tests.console.test_property_desk import NOW, _estate, demo  # noqa: F401 (the fixture)


async def test_register_overview_and_codes(demo: Database) -> None:
    estate = await _estate(demo)
    policy = VerificationPolicy()
    async with demo.session() as s:
        overview = {r.estate.code: r for r in await register_overview(s, NOW)}
        assert (overview["YG"].buildings, overview["YG"].premises, overview["YG"].codes_open) == (7, 200, 4)
        by_building = await issue_for(s, "secret", estate, NOW, policy, building="S")
        ids = [await desk.premises_by_room(s, estate, r) for r in ("1-1-101", "2-1-301")]
        chosen = await issue_for(s, "secret", estate, NOW, policy, premises_ids=ids)
        with pytest.raises(SelectionError, match="请选择"):
            await issue_for(s, "secret", estate, NOW, policy)
        with pytest.raises(SelectionError, match="不属于该小区"):
            await issue_for(s, "secret", estate, NOW, policy, premises_ids=[10 ** 7])
        after = {r.estate.code: r for r in await register_overview(s, NOW)}
    assert [c.room for c in by_building.codes] == [f"S-{i}" for i in range(1, 9)]
    assert [(c.building, c.unit, c.room) for c in chosen.codes] == [("1", "1", "101"), ("2", "1", "301")]
    assert chosen.rows()[0][5] == "验证码" and chosen.rows()[1][5] == chosen.codes[0].code
    assert after["YG"].codes_open == 4 + 8 + 2


async def test_xlsx_sheet_and_console_accounts(demo: Database) -> None:
    rows = [["小区", "房号"], ["阳光花园", "0101"]]
    sheet = load_workbook(io.BytesIO(to_xlsx(rows, "YG"))).active
    assert sheet is not None and sheet.title == "YG"
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == rows  # text stays text: "0101"
    estate = await _estate(demo)
    async with demo.session() as s:
        people = PeopleRepository(s)
        person = await people.add_person("无身份者")
        await people.grant(person.id, "committee", "estate", estate.id)
        await create_account(s, person.id, "nobody-here", "a-long-password-1", NOW)
        await s.execute(delete(RoleGrant).where(RoleGrant.person_id == person.id))  # the role was withdrawn
        accounts = {a.login: a for a in await console_accounts(s)}
    assert accounts["yg-property"].roles == ["物业·阳光花园"]
    assert accounts["admin"].roles == ["管理员·全部"]
    assert accounts["s01-street"].roles[0].startswith("街道·")
    assert accounts["nobody-here"].roles == [] and accounts["nobody-here"].name == "无身份者"
