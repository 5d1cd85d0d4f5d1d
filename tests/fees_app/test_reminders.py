"""The reminder job over storage: who is reminded, in private, how often, when, and the record."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

from sqlalchemy import select

from core.fees.ledger import generate_bills, record_payment
from core.fees.periods import Period
from core.fees.reminders import Reason, check_wording
from core.fees.service import preview, preview_lines, run_reminders, send_reminders
from storage.db import Database
from storage.models import Estate
from storage.models.fees import FeeReminder
from storage.models.notifications import Delivery, Notification
from tests.fees_app.conftest import TZ, fee_estate, owner_of

MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=TZ)  # September and October are overdue (due 1 and 31 Oct)


async def setup(db: Database, code: str = "F1") -> tuple[Estate, dict[str, int], dict[str, int]]:
    async with db.session() as s:
        estate, ids = await fee_estate(s, code)
        for p in ("2026-09", "2026-10", "2026-11"):
            await generate_bills(s, estate.id, Period.parse(p))
        people = {
            "paid": await owner_of(s, f"{code}paid", ids["1-1-101"]),        # pays everything
            "dibao": await owner_of(s, f"{code}dibao", ids["1-1-102"]),      # 低保, owes
            "c1": await owner_of(s, f"{code}c1", ids["1-2-101"]),            # co-owners, owe
            "c2": await owner_of(s, f"{code}c2", ids["1-2-101"], language="en"),
        }
        await record_payment(s, estate, ids["1-1-101"], D("810.00"), datetime(2026, 9, 5, tzinfo=TZ))
        await record_payment(s, estate, ids["2--S-1"], D("180.00"), datetime(2026, 9, 5, tzinfo=TZ))
    return estate, ids, people


async def test_preview_names_each_household_in_arrears_and_why(db: Database) -> None:
    estate, ids, _ = await setup(db)
    async with db.session() as s:
        found = {c.premises_id: c for c in await preview(s, estate, MONDAY.astimezone(timezone.utc))}
        lines = preview_lines(list(found.values()), estate)
    assert set(found) == {ids["1-1-102"], ids["1-2-101"], ids["2-1-101"]}
    assert found[ids["1-2-101"]].arrears.amount == D("289.20")  # 144.60 for September and October
    assert found[ids["1-1-102"]].will_send and found[ids["1-1-102"]].household.eligible_for_reduction
    nobody = found[ids["2-1-101"]]
    assert not nobody.will_send and nobody.reason_zh == "没有已绑定的业主账号，无法私信"
    assert "1号楼1单元102：欠费 ¥107.24（2026年9月、2026年10月），可申请减免 — 将发送" in lines


async def test_reminders_go_privately_to_owners_in_arrears_and_are_recorded(db: Database) -> None:
    estate, ids, people = await setup(db)
    async with db.session() as s:
        assert await send_reminders(s, estate, MONDAY.astimezone(timezone.utc)) == 2
    async with db.session() as s:
        sent = {r.premises_id: r for r in await s.scalars(select(FeeReminder))}
        notes = {n.person_id: n for n in await s.scalars(select(Notification).where(Notification.kind == "reminder"))}
        chats = {d.chat_id for d in await s.scalars(select(Delivery))}
    assert set(sent) == {ids["1-1-102"], ids["1-2-101"]}
    assert sent[ids["1-2-101"]].recipients == 2 and sent[ids["1-2-101"]].periods == ["2026-09", "2026-10"]
    assert sent[ids["1-2-101"]].period_key == "2026-11" and sent[ids["1-2-101"]].amount == D("289.20")
    assert set(notes) == {people["dibao"], people["c1"], people["c2"]}
    assert chats == {"private-F1dibao", "private-F1c1", "private-F1c2"}  # each owner's own chat, no group
    dibao = notes[people["dibao"]].body["text"]
    assert "1号楼1单元102" in dibao and "107.24元" in dibao and "您家庭已登记为低保户" in dibao
    assert notes[people["c2"]].body["text"].startswith("Dear owner")
    assert all(check_wording(n.body["text"]) == [] for n in notes.values())
    assert notes[people["c1"]].body["buttons"] == [[{"label": "查看欠费明细", "payload": f"fee:o:{ids['1-2-101']}"}]]


async def test_once_a_week_three_times_a_period_never_at_night(db: Database) -> None:
    estate, ids, _ = await setup(db)

    async def run(at: datetime) -> int:
        async with db.session() as s:
            return await send_reminders(s, estate, at.astimezone(timezone.utc))

    assert await run(MONDAY) == 2
    assert await run(MONDAY + timedelta(days=6, hours=23)) == 0       # not a week yet
    assert await run(MONDAY + timedelta(days=7, hours=11, minutes=30)) == 0  # 21:30: quiet hours
    assert await run(MONDAY + timedelta(days=7)) == 2                 # 9 November 10:00
    assert await run(MONDAY + timedelta(days=14)) == 2                # 16 November
    assert await run(MONDAY + timedelta(days=21)) == 0                # 23 November: three this month
    async with db.session() as s:
        [c, *_] = [c for c in await preview(s, estate, (MONDAY + timedelta(days=21)).astimezone(timezone.utc))
                   if c.premises_id == ids["1-1-102"]]
        assert c.decision.reason is Reason.PERIOD_LIMIT
    assert await run(MONDAY + timedelta(days=30)) == 2                # 2 December: a new billing period
    async with db.session() as s:
        assert len(list(await s.scalars(select(FeeReminder)))) == 8


async def test_paying_stops_the_reminders(db: Database) -> None:
    estate, ids, _ = await setup(db)
    async with db.session() as s:
        await record_payment(s, estate, ids["1-2-101"], D("289.20"), MONDAY - timedelta(hours=1))
        assert await send_reminders(s, estate, MONDAY.astimezone(timezone.utc)) == 1


async def test_the_job_covers_every_estate(db: Database) -> None:
    await setup(db, "F1")
    await setup(db, "F2")
    assert await run_reminders(db, MONDAY.astimezone(timezone.utc)) == 4
    assert await run_reminders(db, MONDAY.astimezone(timezone.utc)) == 0  # run twice: nothing twice
