"""Timed work on tickets, for the scheduler: escalate overdue tickets, close answers nobody rated,
erase personal data after the retention period. Each ticket is handled in its own unit of work,
so one bad row does not hold back the others, and a run can be repeated safely.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.tickets.config import RATING_DAYS
from core.tickets.lifecycle import ESCALATABLE, FINAL, Action, TicketStatus, TransitionRefused
from core.tickets.privacy import RETENTION_DAYS, RetentionCandidate, due_for_erasure
from core.tickets.routing import HandlerLevel
from core.tickets.service import SYSTEM, TicketError, act, ticket_by_id
from core.tickets.sla import Deadlines, current_due, should_escalate
from storage.db import Database
from storage.models.tickets import Ticket, TicketEvent, TicketFollower, TicketMessage

log = logging.getLogger(__name__)
ERASED = "（个人信息已按保存期限删除）"


async def escalate_overdue(db: Database, now: datetime) -> int:
    """Property matters past their deadline go to the street office's queue (督办). Returns how many."""
    async with db.session() as s:
        ids = list(await s.scalars(
            select(Ticket.id).where(Ticket.matter_level == HandlerLevel.PROPERTY.value,
                                    Ticket.supervised.is_(False),
                                    Ticket.status.in_([x.value for x in ESCALATABLE]),
                                    or_(Ticket.answer_due < now, Ticket.response_due < now))
            .order_by(Ticket.id)))
    done = 0
    for ticket_id in ids:
        async with db.session() as s:
            t = await ticket_by_id(s, ticket_id)
            status = TicketStatus(t.status)
            due = current_due(Deadlines(answer_due=t.answer_due, response_due=t.response_due), status)
            if not should_escalate(HandlerLevel(t.matter_level), status, t.supervised, due, now):
                continue
            try:
                await act(s, t, SYSTEM, Action.ESCALATE, now, reason="超过办理期限")
            except (TicketError, TransitionRefused) as e:  # changed meanwhile: leave it for the next run
                log.info("ticket %s not escalated: %s", t.number, e)
                continue
            done += 1
    return done


async def close_unrated(db: Database, now: datetime, rating_days: int = RATING_DAYS) -> int:
    """Answers the resident did not rate within `rating_days` are closed by the system."""
    async with db.session() as s:
        ids = list(await s.scalars(
            select(Ticket.id).where(Ticket.status == TicketStatus.ANSWERED.value,
                                    Ticket.supervised.is_(False),
                                    Ticket.answered_at < now - timedelta(days=rating_days))))
    done = 0
    for ticket_id in ids:
        async with db.session() as s:
            t = await ticket_by_id(s, ticket_id)
            try:
                await act(s, t, SYSTEM, Action.CLOSE, now, reason=f"答复后{rating_days}日内未评价")
            except (TicketError, TransitionRefused) as e:
                log.info("ticket %s not closed: %s", t.number, e)
                continue
            done += 1
    return done


async def erase_expired(db: Database, now: datetime, retention_days: int = RETENTION_DAYS) -> int:
    """Erase the personal data of tickets finished more than `retention_days` ago (PIPL art. 47).

    Kept: category, estate, building, offices, statuses, times, ratings and the events' actions,
    which is all the statistics count. Gone: who reported and followed, their words and photos,
    unit, room and coordinates, and what residents wrote in the history.
    """
    async with db.session() as s:
        rows = await s.execute(
            select(Ticket.id, Ticket.number, Ticket.status, Ticket.finished_at)
            .where(Ticket.status.in_([x.value for x in FINAL]), Ticket.erased_at.is_(None)))
        ids: dict[str, int] = {}
        candidates = []
        for tid, number, status, finished_at in rows.tuples():
            ids[number] = tid
            candidates.append(RetentionCandidate(number, TicketStatus(status), finished_at))
        due = due_for_erasure(candidates, now, retention_days)
        for number in due:
            await _erase(s, ids[number], now)
    return len(due)


async def _erase(s: AsyncSession, ticket_id: int, now: datetime) -> None:
    t = await ticket_by_id(s, ticket_id)
    t.reporter_person_id, t.description, t.unit, t.room, t.channel = None, ERASED, None, None, None
    if t.latitude is not None:  # a shared location's label may be a home address; named places stay
        t.latitude, t.longitude, t.place = None, None, None
    t.erased_at = now
    await s.execute(update(TicketMessage).where(TicketMessage.ticket_id == ticket_id,
                                                TicketMessage.author_role == "resident")
                    .values(author_person_id=None, text=None, photo_ref=None))
    await s.execute(update(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                              TicketEvent.actor_role == "resident")
                    .values(actor_person_id=None, reason=None))
    await s.execute(delete(TicketFollower).where(TicketFollower.ticket_id == ticket_id))
