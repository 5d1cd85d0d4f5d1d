"""core/tickets/desk.py: the desk's queue means what queries.staff_queue means, its counts add up,
the overdue count follows the clock, photos are found only on their own ticket, may_ever tells a
refusal of who from a refusal of when, and a bulk summary says what happened to each ticket."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.people import actor_for
from core.tickets.desk import (
    Order, Outcome, PlatformPhoto, StoredPhoto, act_by_person, bulk_summary, desk_queue, may_ever, overdue_count,
    photo_of, queue_total, status_counts)
from core.tickets.lifecycle import Action, ActorRole
from core.tickets.queries import OPEN, QueueFilter, staff_queue
from core.tickets.routing import HandlerLevel
from core.tickets.service import NotAllowed, TicketNotFound
from storage.models import UploadedFile
from storage.models.tickets import Ticket, TicketMessage
from tests.console.authz_tickets import ACCEPTED, DISPATCHED, RATED, STREET_ACCEPTED, make_ticket
from tests.console.conftest import Desk

A, R, L = Action, ActorRole, HandlerLevel
FILTERS = [QueueFilter(), QueueFilter(status=OPEN), QueueFilter(status="accepted"), QueueFilter(category="elevator"),
           QueueFilter(department="environment", queue_only=False), QueueFilter(overdue=True),
           QueueFilter(overdue=False, queue_only=False), QueueFilter(estate_id=-1, queue_only=False)]


async def _world(desk: Desk) -> None:
    await make_ticket(desk)
    await make_ticket(desk, ACCEPTED, category="water_leak", text="地下车库漏水")
    await make_ticket(desk, RATED)
    await make_ticket(desk, urgent=True, text="电梯困人了")
    await make_ticket(desk, STREET_ACCEPTED, category="cooking_fumes", text="饭店油烟")
    await make_ticket(desk, estate_id=desk.neighbour.id)
    desk.clock.now += timedelta(days=3)
    await make_ticket(desk, DISPATCHED, text="3号楼电梯异响")


async def test_the_desk_queue_is_staff_queue_with_counts(desk: Desk) -> None:
    await _world(desk)
    for label in ("property", "community", "street", "street_elsewhere"):
        for at in (desk.clock(), desk.clock() + timedelta(days=20)):
            async with desk.rt.db.session() as s:
                actor = await actor_for(s, desk.people[label])
                for f in FILTERS:
                    expected = [t.id for t in await staff_queue(s, actor, f, at)]
                    assert [t.id for t in await desk_queue(s, actor, f, at)] == expected, (label, f)
                    assert await queue_total(s, actor, f, at) == len(expected)
                    by_status = await status_counts(s, actor, f, at)
                    if f.status is None:
                        assert sum(by_status.values()) == len(expected)
                due = await desk_queue(s, actor, QueueFilter(queue_only=False), at, Order.DUE)
                assert [t.answer_due for t in due] == sorted(t.answer_due for t in due)
                last = await desk_queue(s, actor, QueueFilter(queue_only=False), at, Order.DUE_LAST)
                assert [t.answer_due for t in last] == sorted((t.answer_due for t in due), reverse=True)
                newest = await desk_queue(s, actor, QueueFilter(queue_only=False), at, Order.NEWEST)
                assert [t.created_at for t in newest] == sorted((t.created_at for t in newest), reverse=True)


async def test_overdue_count_follows_the_clock_and_the_queue(desk: Desk) -> None:
    await _world(desk)
    async with desk.rt.db.session() as s:
        prop = await actor_for(s, desk.people["property"])
        street = await actor_for(s, desk.people["street"])
        assert await overdue_count(s, prop, desk.clock()) == 1  # the urgent one: hours, not days
        later = desk.clock() + timedelta(days=20)
        open_property = [t for t in await staff_queue(s, prop, QueueFilter(status=OPEN), later)
                         if t.status != "rated"]
        assert await overdue_count(s, prop, later) == len(open_property) == 4
        assert await overdue_count(s, street, later) == 1  # its own street-level ticket


def test_may_ever_tells_who_from_when() -> None:
    assert may_ever(R.PROPERTY_STAFF, A.ACCEPT, L.PROPERTY, False)
    assert may_ever(R.PROPERTY_STAFF, A.CLOSE, L.PROPERTY, False)  # once rated
    assert not may_ever(R.PROPERTY_STAFF, A.CLOSE, L.PROPERTY, True)  # supervised: the street closes
    assert may_ever(R.STREET_STAFF, A.CLOSE, L.PROPERTY, True)
    assert not may_ever(R.COMMUNITY_STAFF, A.ACCEPT, L.PROPERTY, False)
    assert not may_ever(R.STREET_STAFF, A.ANSWER, L.PROPERTY, False)
    assert may_ever(R.STREET_STAFF, A.ANSWER, L.PROPERTY, True)
    assert may_ever(R.STREET_STAFF, A.DISPATCH, L.STREET, False)
    assert not may_ever(R.PROPERTY_STAFF, A.DISPATCH, L.STREET, False)
    assert may_ever(R.PROPERTY_STAFF, A.EXTEND, L.PROPERTY, False)
    assert not may_ever(R.PROPERTY_STAFF, A.REOPEN, L.PROPERTY, False)


async def test_photos_are_found_on_their_own_ticket_only(desk: Desk) -> None:
    with_photo = await make_ticket(desk, photo=True)
    other = await make_ticket(desk)
    async with desk.rt.db.session() as s:
        t = await s.get(Ticket, with_photo)
        o = await s.get(Ticket, other)
        assert t and o
        m = await s.scalar(select(TicketMessage).where(TicketMessage.ticket_id == t.id,
                                                       TicketMessage.photo_ref.is_not(None)))
        assert m is not None
        found = await photo_of(s, t, m.id)
        assert isinstance(found, StoredPhoto) and found.content_type == "image/png"
        assert await photo_of(s, o, m.id) is None
        platform = TicketMessage(ticket_id=o.id, kind="details", author_role="resident", photo_ref="media-1",
                                 created_at=desk.clock())
        s.add(platform)
        await s.flush()
        assert await photo_of(s, o, platform.id) == PlatformPhoto("media-1")
        f = await s.scalar(select(UploadedFile).where(UploadedFile.token == m.photo_ref.split(":", 1)[1]))
        assert f is not None
        Path(f.path).unlink()
        assert await photo_of(s, t, m.id) is None  # deleted with the retention: not a server error


async def test_act_by_person_and_the_bulk_summary(desk: Desk) -> None:
    tid = await make_ticket(desk)
    async with desk.rt.db.session() as s:
        t = await act_by_person(s, tid, desk.people["property"], A.ACCEPT, desk.clock())
        assert t.status == "accepted"
        with pytest.raises(NotAllowed):
            await act_by_person(s, tid, desk.people["property_neighbour"], A.ACCEPT, desk.clock())
        with pytest.raises(TicketNotFound):
            await act_by_person(s, 10 ** 9, desk.people["property"], A.ACCEPT, desk.clock())
    assert bulk_summary(A.CLOSE, [Outcome(1, "YG1", True, ""), Outcome(2, "YG2", False, "居民尚未评价，不能销号"),
                                  Outcome(3, None, False, "不存在或不在您的管辖范围内")]) == \
        "已销号 1 件：YG1。未能销号 2 件：YG2（居民尚未评价，不能销号）；#3（不存在或不在您的管辖范围内）。"
    assert bulk_summary(A.ACCEPT, []) == "未选择工单。"
