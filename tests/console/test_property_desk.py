"""core.fees.desk on the demo estate, without the web: the queries the property view is built on."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.demo import seed_demo
from core.fees import desk
from core.fees.ledger import FeeError, estate_statements
from core.fees.money import ZERO
from core.fees.periods import Period, PeriodKind
from core.fees.service import send_reminders
from storage.db import Database
from storage.models import Estate, Residency
from storage.repositories.people import PeopleRepository

# Monday 23 November 2026, 10:00 in Shanghai.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
TODAY = NOW.date()


@pytest.fixture
async def demo(db: Database) -> AsyncIterator[Database]:
    async with db.session() as s:
        await seed_demo(s, "secret", NOW)
    yield db


async def _estate(db: Database) -> Estate:
    async with db.session() as s:
        estate = await s.scalar(select(Estate).where(Estate.code == "YG"))
    assert estate is not None
    return estate


def test_parse_period_and_room() -> None:
    assert desk.parse_period(" 2026-11 ") == Period.containing(PeriodKind.MONTH, TODAY)
    assert desk.parse_period("2026-q4").key == "2026-Q4" and desk.parse_period("2026").key == "2026"
    for bad in ("2026-13", "2026-Q5", "11/2026", "", "2026-1"):
        with pytest.raises(FeeError, match="期间应写成"):
            desk.parse_period(bad)
    assert desk.parse_room("3-2-501") == ("3", "2", "501")
    assert desk.parse_room("S--S-3") == ("S", "", "S-3")
    assert desk.room_text("S", "", "S-3") == "S--S-3"
    for bad in ("3-501", "-2-501", "3-2-"):
        with pytest.raises(FeeError, match="楼栋-单元-房号"):
            desk.parse_room(bad)


async def test_balances_filter_page_and_total(demo: Database) -> None:
    estate = await _estate(demo)
    async with demo.session() as s:
        everything = await desk.balances(s, estate, TODAY, per_page=1000)
        owing = await desk.balances(s, estate, TODAY, arrears_only=True)
        one = await desk.balances(s, estate, TODAY, building="1", per_page=10, page=4)
        beyond = await desk.balances(s, estate, TODAY, per_page=50, page=99)
        stmts = await estate_statements(s, estate.id, TODAY)
    assert everything.matching == 200 and everything.buildings == ["1", "2", "3", "4", "5", "6", "S"]
    assert [r.building for r in everything.rows][-8:] == ["S"] * 8  # lettered buildings last
    assert owing.matching == 7 and all(r.arrears > 0 for r in owing.rows)
    assert owing.arrears_total == sum((st.arrears_total for st in stmts.values()), ZERO)
    assert {r.room for r in owing.rows} >= {"1-1-101", "3-2-502", "S--S-3"}
    assert one.matching == 32 and one.pages == 4 and one.page == 4 and len(one.rows) == 2
    assert all(r.building == "1" for r in one.rows)
    assert beyond.page == beyond.pages == 4


async def test_premises_account_only_in_its_estate(demo: Database) -> None:
    estate = await _estate(demo)
    async with demo.session() as s:
        pid = await desk.premises_by_room(s, estate, "1-1-101")
        account = await desk.premises_account(s, estate, pid, TODAY)
        other = Estate(code="X", name="别处", community_id=estate.community_id, settings={})
        s.add(other)
        await s.flush()
        assert await desk.premises_account(s, other, pid, TODAY) is None
        with pytest.raises(FeeError, match="没有这个房屋"):
            await desk.premises_by_room(s, estate, "1-1-999")
    assert account is not None and account.address == "1号楼1单元101" and account.room == "1-1-101"
    assert account.statement.arrears_total == Decimal("322.00") and len(account.statement.periods) == 3
    assert {p.reference for p in account.payments} == {"DEMO-2026-10-1"}


async def test_schedule_versions_belong_to_their_estate(demo: Database) -> None:
    estate = await _estate(demo)
    async with demo.session() as s:
        versions = await desk.schedule_versions(s, estate.id)
        assert len(versions) == 1 and versions[0].schedule.period_kind is PeriodKind.MONTH
        assert await desk.schedule_version(s, estate.id, versions[0].id) == versions[0]
        assert await desk.schedule_version(s, estate.id + 1000, versions[0].id) is None


async def test_reminder_preview_accounts_for_every_billed_premises(demo: Database) -> None:
    estate = await _estate(demo)
    async with demo.session() as s:
        person = await PeopleRepository(s).add_person("业主")
        s.add(Residency(person_id=person.id, premises_id=await desk.premises_by_room(s, estate, "1-1-101")))
        await s.flush()
        before = await desk.reminder_preview(s, estate, NOW)
        assert await send_reminders(s, estate, NOW) == 1
        after = await desk.reminder_preview(s, estate, NOW)
        sent = await desk.recent_reminders(s, estate.id)
    assert before.will_send == 1 and before.settled + len(before.candidates) == 200
    assert sum(n for _, n in before.held_back) == len(before.candidates) - before.will_send == 6
    assert after.will_send == 0 and ("距上次提醒不足7天", 1) in after.held_back
    assert [(r.address, r.amount, r.periods, r.recipients) for r in sent] == [
        ("1号楼1单元101", Decimal("322.00"), ["2026年9月"], 1)]
