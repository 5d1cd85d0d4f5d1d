"""What a staff desk needs beyond queries.py: the queue in a chosen order with its counts, the live
overdue count, the departments a street office can summon, where a ticket's photos are, whether a
role could ever take an action on a ticket of some level (a refusal of *who*, not of *when*), and
one action by a person on a ticket id (the unit a bulk action repeats).

The filters mean exactly what queries.staff_queue means by them (tests compare the two)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import Actor
from core.tickets.config import DEFAULT, TicketConfig
from core.tickets.lifecycle import Action, ActorRole, TicketState, TicketStatus, allowed_actions
from core.tickets.queries import OPEN, QueueFilter, overdue_sql, jurisdiction_sql
from core.tickets.rating import Rating
from core.tickets.routing import HandlerLevel
from core.tickets.service import act, department_name, staff_actor, ticket_by_id
from storage.models import Department, UploadedFile
from storage.models.tickets import Ticket, TicketEvent, TicketMessage

FINISHED = ("closed", "merged", "referred")
WEB_UPLOAD = "web-upload:"


class Order(StrEnum):
    WORK = "work"  # urgent first, then the earliest deadline: the order work should be done in
    DUE = "due"  # earliest deadline first
    DUE_LAST = "-due"  # latest deadline first
    NEWEST = "-created"


def _where(actor: Actor, f: QueueFilter, now: datetime, *, with_status: bool = True) -> list[ColumnElement[bool]]:
    where = [jurisdiction_sql(actor, queue_only=f.queue_only)]
    if with_status and f.status == OPEN:
        where.append(Ticket.status.notin_(FINISHED))
    elif with_status and f.status:
        where.append(Ticket.status == f.status)
    if f.category:
        where.append(Ticket.category == f.category)
    if f.department:
        where.append(Ticket.department == f.department)
    if f.estate_id is not None:
        where.append(Ticket.estate_id == f.estate_id)
    if f.overdue is True:
        where.append(overdue_sql(now))
    elif f.overdue is False:
        where.append(~overdue_sql(now))
    return where


def _ordered(q: Select[tuple[Ticket]], order: Order) -> Select[tuple[Ticket]]:
    match order:
        case Order.WORK:
            return q.order_by(Ticket.urgent.desc(), Ticket.answer_due, Ticket.id)
        case Order.DUE:
            return q.order_by(Ticket.answer_due, Ticket.id)
        case Order.DUE_LAST:
            return q.order_by(Ticket.answer_due.desc(), Ticket.id.desc())
        case Order.NEWEST:
            return q.order_by(Ticket.created_at.desc(), Ticket.id.desc())
    raise AssertionError(order)


async def desk_queue(session: AsyncSession, actor: Actor, f: QueueFilter, now: datetime,
                     order: Order = Order.WORK) -> list[Ticket]:
    """One page of the actor's queue (or whole jurisdiction), filtered as staff_queue, in `order`."""
    q = _ordered(select(Ticket).where(*_where(actor, f, now)), order).limit(f.limit).offset(f.offset)
    return list(await session.scalars(q))


async def queue_total(session: AsyncSession, actor: Actor, f: QueueFilter, now: datetime) -> int:
    """How many tickets match the filter (all pages)."""
    return int(await session.scalar(select(func.count(Ticket.id)).where(*_where(actor, f, now))) or 0)


async def status_counts(session: AsyncSession, actor: Actor, f: QueueFilter, now: datetime) -> dict[str, int]:
    """Tickets by status under every filter but the status: what each status chip would show."""
    rows = await session.execute(select(Ticket.status, func.count(Ticket.id))
                                 .where(*_where(actor, f, now, with_status=False)).group_by(Ticket.status))
    return {status: int(n) for status, n in rows.all()}


async def overdue_count(session: AsyncSession, actor: Actor, now: datetime) -> int:
    """Overdue tickets waiting on the actor's own office (the number on every desk page)."""
    return await queue_total(session, actor, QueueFilter(overdue=True, queue_only=True), now)


async def departments(session: AsyncSession, street_office_ids: Iterable[int]) -> list[Department]:
    """The departments these street offices summon, by office then code."""
    ids = sorted(set(street_office_ids))
    if not ids:
        return []
    return list(await session.scalars(select(Department).where(Department.street_office_id.in_(ids))
                                      .order_by(Department.street_office_id, Department.code)))


# -- photos -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredPhoto:
    path: Path
    content_type: str


@dataclass(frozen=True)
class PlatformPhoto:
    """A photo that stayed on Telegram or WeChat: only its reference (the platform's file id) is here."""

    ref: str


async def photo_refs(session: AsyncSession, ticket_id: int) -> dict[int, str]:
    """message id -> photo reference, for the messages of the thread that carry one."""
    rows = await session.execute(select(TicketMessage.id, TicketMessage.photo_ref).where(
        TicketMessage.ticket_id == ticket_id, TicketMessage.photo_ref.is_not(None)))
    return {mid: ref for mid, ref in rows.all()}


async def photo_of(session: AsyncSession, t: Ticket, message_id: int) -> StoredPhoto | PlatformPhoto | None:
    """The photo of one message of this ticket; None when there is none (or the file is gone).
    The caller has checked that the viewer may see the ticket."""
    m = await session.get(TicketMessage, message_id)
    if m is None or m.ticket_id != t.id or not m.photo_ref:
        return None
    if not m.photo_ref.startswith(WEB_UPLOAD):
        return PlatformPhoto(m.photo_ref)
    f = await session.scalar(select(UploadedFile).where(UploadedFile.token == m.photo_ref[len(WEB_UPLOAD):]))
    if f is None or not Path(f.path).is_file():
        return None
    return StoredPhoto(Path(f.path), f.content_type)


async def dispatch_targets(session: AsyncSession, t: Ticket) -> list[str | None]:
    """For each event of the ticket in order (as staff_detail's history): the department a dispatch
    sent it to, by name; None for other events and a property company's internal dispatch."""
    rows = await session.execute(select(TicketEvent.action, TicketEvent.actor_role, TicketEvent.data)
                                 .where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id))
    out: list[str | None] = []
    for action, role, data in rows.all():
        code = (data or {}).get("department") if action == Action.DISPATCH.value else None
        summoned = role in (ActorRole.COMMUNITY_STAFF.value, ActorRole.STREET_STAFF.value)
        out.append(await department_name(session, t.street_office_id, code) if code and summoned else None)
    return out


# -- who may act ----------------------------------------------------------------------------------------
def _states(level: HandlerLevel, supervised: bool) -> Iterable[TicketState]:
    for status in TicketStatus:
        if status.final:
            continue
        if status is TicketStatus.EXTENDED:
            yield TicketState("-", status, level, extensions=1, supervised=supervised,
                              extended_from=TicketStatus.ACCEPTED)
        else:
            yield TicketState("-", status, level, supervised=supervised,
                              rating=Rating.SATISFIED if status is TicketStatus.RATED else None)


def may_ever(role: ActorRole, action: Action, level: HandlerLevel, supervised: bool) -> bool:
    """Could this role take this action on a ticket of this level in some status? False means the
    refusal is about who asks (their role), not about where the ticket stands now."""
    return any(action in allowed_actions(s, role) for s in _states(level, supervised))


# -- acting -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    ticket_id: int
    number: str | None  # None when the ticket is not the viewer's to see
    done: bool
    message: str  # the refusal's words when not done


async def act_by_person(session: AsyncSession, ticket_id: int, person_id: int, action: Action, now: datetime,
                        *, reason: str | None = None, config: TicketConfig = DEFAULT) -> Ticket:
    """One staff member's action on one ticket by id: NotAllowed / TicketNotFound when it is not theirs,
    TicketError or TransitionRefused when the rules refuse (nothing is changed then)."""
    t = await ticket_by_id(session, ticket_id)
    who = await staff_actor(session, person_id, t)
    await act(session, t, who, action, now, reason=reason, config=config)
    return t


def bulk_summary(action: Action, outcomes: Sequence[Outcome]) -> str:
    """One line for the flash: what was done, and what was refused and why."""
    done = [o for o in outcomes if o.done]
    refused = [o for o in outcomes if not o.done]
    parts = []
    if done:
        parts.append(f"已{action.zh} {len(done)} 件：" + "、".join(o.number or str(o.ticket_id) for o in done))
    if refused:
        parts.append(f"未能{action.zh} {len(refused)} 件：" + "；".join(
            f"{o.number or '#' + str(o.ticket_id)}（{o.message}）" for o in refused))
    return "。".join(parts) + "。" if parts else "未选择工单。"


__all__ = ["WEB_UPLOAD", "Order", "Outcome", "PlatformPhoto", "StoredPhoto", "act_by_person", "bulk_summary",
           "departments", "desk_queue", "dispatch_targets", "may_ever", "overdue_count", "photo_of", "photo_refs",
           "queue_total", "status_counts"]
