"""The timed jobs: overdue property tickets escalate to the street office (督办), unrated answers
close, personal data is erased after the retention period while statistics stay the same."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.tickets.jobs import ERASED, close_unrated, erase_expired, escalate_overdue
from core.tickets.lifecycle import Action, ActorRole
from core.tickets.rating import Rating
from core.tickets.report import monthly_report
from core.tickets.service import TicketActor, act, add_details, follow, staff_actor, ticket_by_id
from storage.db import Database
from storage.models import StreetOffice
from storage.models.tickets import TicketEvent, TicketFollower, TicketMessage
from tests.tickets_app.helpers import T0, new_ticket, notified, setup_place


async def test_overdue_property_ticket_escalates_once(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        late = await new_ticket(s, p, category="sanitation", text="垃圾没清运", building="2")
        street_matter = await new_ticket(s, p, category="noise", text="噪音", building="3")
        answered = await new_ticket(s, p, category="greening", text="树枝", building="4")
        prop = await staff_actor(s, p.property_staff, answered)
        for a in (Action.ACCEPT, Action.DISPATCH):
            await act(s, answered, prop, a, T0)
        await act(s, answered, prop, Action.ANSWER, T0, text="已修剪")
        ids = (late.id, street_matter.id, answered.id)
    due = datetime(2026, 11, 30, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai"))  # 5 working days
    assert await escalate_overdue(db, due - timedelta(hours=2)) == 0
    assert await escalate_overdue(db, due + timedelta(hours=1)) == 1
    assert await escalate_overdue(db, due + timedelta(hours=2)) == 0  # once
    async with db.session() as s:
        late, street_matter, answered = [await ticket_by_id(s, i) for i in ids]
        assert late.supervised and late.queue == "street_office" and late.office_id == p.street_office_id
        assert late.status == "new" and late.level == "property"  # the company still has to do the work
        assert not street_matter.supervised and not answered.supervised
        [ev] = await s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == late.id,
                                                         TicketEvent.action == "escalate"))
        assert (ev.actor_role, ev.actor_person_id, ev.reason) == ("system", None, "超过办理期限")
        assert ev.data["queue"] == "street_office"
        assert f"工单 {late.number}（卫生保洁、垃圾清运）已超过办理期限，已转街道督办。" in await notified(s, p.resident)
        assert any(x.startswith("【督办】") for x in await notified(s, p.street_staff))
        # Under supervision the street may act on it too.
        street = await staff_actor(s, p.street_staff, late)
        assert street.role is ActorRole.STREET_STAFF
        await act(s, late, street, Action.ACCEPT, due + timedelta(hours=3))
        assert late.status == "accepted"


async def test_unaccepted_urgent_ticket_escalates_after_two_hours(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p, category="water_leak", text="水管爆了，家里淹了", urgent=True,
                             urgency_reason="flood")
        assert t.response_due == T0 + timedelta(hours=2)
    assert await escalate_overdue(db, T0 + timedelta(hours=1, minutes=59)) == 0
    assert await escalate_overdue(db, T0 + timedelta(hours=2, minutes=1)) == 1


async def test_answer_nobody_rated_is_closed_by_the_system(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p)
        prop = await staff_actor(s, p.property_staff, t)
        for a in (Action.ACCEPT, Action.DISPATCH):
            await act(s, t, prop, a, T0)
        await act(s, t, prop, Action.ANSWER, T0, text="已修复")
        tid = t.id
    assert await close_unrated(db, T0 + timedelta(days=6)) == 0
    assert await close_unrated(db, T0 + timedelta(days=7, minutes=1)) == 1
    async with db.session() as s:
        t = await ticket_by_id(s, tid)
        assert t.status == "closed" and t.rating is None
        last = await s.scalar(select(TicketEvent).where(TicketEvent.ticket_id == tid).order_by(TicketEvent.id.desc()))
        assert last is not None and (last.action, last.actor_role, last.reason) == ("close", "system", "答复后7日内未评价")


async def test_erasure_removes_personal_data_and_keeps_statistics(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p, category="water_leak", text="我家501漏水，电话13812345678", building="2",
                             unit="1", room="501", latitude=40.1, longitude=111.2, place="定位位置")
        await follow(s, t, p.neighbour, T0)
        await add_details(s, t, p.resident, T0, text="照片见上", photo_ref="web-upload:tok")
        prop = await staff_actor(s, p.property_staff, t)
        for a in (Action.ACCEPT, Action.DISPATCH):
            await act(s, t, prop, a, T0)
        await act(s, t, prop, Action.ANSWER, T0, text="已维修")
        await act(s, t, TicketActor(ActorRole.RESIDENT, p.resident), Action.RATE, T0 + timedelta(hours=1),
                  rating=Rating.UNSATISFIED, reason="没修好，我是张三")
        await act(s, t, prop, Action.ANSWER, T0 + timedelta(days=1), text="已更换水管")
        await act(s, t, TicketActor(ActorRole.RESIDENT, p.resident), Action.RATE, T0 + timedelta(days=1),
                  rating=Rating.SATISFIED)
        await act(s, t, prop, Action.CLOSE, T0 + timedelta(days=2))
        open_one = await new_ticket(s, p, category="noise", text="楼上吵，电话13812345678")
        office = await s.get(StreetOffice, p.street_office_id)
        assert office is not None
        before = await monthly_report(s, office.code, "2026-11", T0 + timedelta(days=400))
        ids = (t.id, open_one.id)
    assert await erase_expired(db, T0 + timedelta(days=150)) == 0
    assert await erase_expired(db, T0 + timedelta(days=183)) == 1
    assert await erase_expired(db, T0 + timedelta(days=184)) == 0  # done once
    async with db.session() as s:
        t, open_one = [await ticket_by_id(s, i) for i in ids]
        assert t.reporter_person_id is None and t.description == ERASED
        assert (t.unit, t.room, t.latitude, t.longitude, t.place) == (None, None, None, None, None)
        assert (t.category, t.building, t.status, t.rating) == ("water_leak", "2", "closed", "satisfied")
        assert await s.scalar(select(TicketFollower.id).where(TicketFollower.ticket_id == t.id)) is None
        resident_words = list(await s.execute(
            select(TicketMessage.text, TicketMessage.photo_ref, TicketMessage.author_person_id)
            .where(TicketMessage.ticket_id == t.id, TicketMessage.author_role == "resident")))
        assert resident_words and all(row == (None, None, None) for row in resident_words)
        staff_words = list(await s.scalars(select(TicketMessage.text).where(
            TicketMessage.ticket_id == t.id, TicketMessage.author_role == "property_staff")))
        assert staff_words == ["已维修", "已更换水管"]
        reasons = list(await s.scalars(select(TicketEvent.reason).where(TicketEvent.ticket_id == t.id,
                                                                        TicketEvent.actor_role == "resident")))
        assert reasons and all(r is None for r in reasons)
        assert open_one.erased_at is None and "13812345678" in open_one.description  # still open: kept
        office = await s.get(StreetOffice, p.street_office_id)
        assert office is not None
        after = await monthly_report(s, office.code, "2026-11", T0 + timedelta(days=400))
    assert after == before and before.total.counts.received == 2
