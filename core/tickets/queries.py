"""Reading tickets: a staff member's queue, one ticket as a given viewer may see it, a resident's
own tickets. Jurisdiction comes from access.py; what a viewer learns of the reporter from
privacy.py and redact.py."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import Actor, ScopeKind
from core.tickets import catalog
from core.tickets.access import QUEUE_LEVELS, STAFF_ROLES, SUPERVISION_QUEUE, VISIBLE_LEVELS
from core.tickets.lifecycle import ESCALATABLE, Action, ActorRole, TicketStatus, allowed_actions
from core.tickets.privacy import mask_phones_in_text, may_see_reporter, reporter_view
from core.tickets.redact import redact_for_hidden_reporter
from core.tickets.routing import HandlerLevel
from core.tickets.service import (
    department_name,
    handler_name,
    place_text,
    staff_actor,
    state_of,
)
from core.tickets.sla import Deadlines, current_due, is_overdue
from storage.models import Estate, Person
from storage.models.tickets import Ticket, TicketEvent, TicketFollower, TicketMessage

OPEN = "open"  # a status filter: every status that is not final


def overdue(t: Ticket, now: datetime) -> bool:
    """Running against a deadline that has passed (sla.current_due)."""
    due = current_due(Deadlines(answer_due=t.answer_due, response_due=t.response_due), TicketStatus(t.status))
    return due is not None and is_overdue(due, now)


def overdue_sql(now: datetime) -> ColumnElement[bool]:
    return and_(Ticket.status.in_([s.value for s in ESCALATABLE]),
                or_(Ticket.answer_due < now, and_(Ticket.status == TicketStatus.NEW.value,
                                                  Ticket.response_due < now)))


_SCOPE_COLUMN = {ScopeKind.ESTATE: Ticket.estate_id, ScopeKind.COMMUNITY: Ticket.community_id,
                 ScopeKind.STREET_OFFICE: Ticket.street_office_id, ScopeKind.DISTRICT: Ticket.district_id}


def jurisdiction_sql(actor: Actor, *, queue_only: bool) -> ColumnElement[bool]:
    """The tickets this actor sees (or has in their queue), as a WHERE clause: access.sees in SQL."""
    clauses = []
    for g in actor.grants:
        role = STAFF_ROLES.get(g.role)
        if role is None:
            continue
        where = true() if g.scope_kind is ScopeKind.ALL else _SCOPE_COLUMN[g.scope_kind] == g.scope_id
        levels = (QUEUE_LEVELS if queue_only else VISIBLE_LEVELS)[role]
        level_ok: ColumnElement[bool] = Ticket.level.in_([lv.value for lv in levels])
        if queue_only and role is SUPERVISION_QUEUE:
            level_ok = or_(level_ok, Ticket.supervised.is_(True))
        clauses.append(and_(where, level_ok))
    return or_(*clauses) if clauses else false()


def is_staff(actor: Actor) -> bool:
    return any(g.role in STAFF_ROLES for g in actor.grants)


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None  # a status, or "open"
    category: str | None = None
    department: str | None = None
    overdue: bool | None = None
    estate_id: int | None = None
    queue_only: bool = True  # False: everything within the jurisdiction
    limit: int = 100
    offset: int = 0


async def staff_queue(session: AsyncSession, actor: Actor, f: QueueFilter, now: datetime) -> list[Ticket]:
    q = select(Ticket).where(jurisdiction_sql(actor, queue_only=f.queue_only))
    if f.status == OPEN:
        q = q.where(Ticket.status.notin_(["closed", "merged", "referred"]))
    elif f.status:
        q = q.where(Ticket.status == f.status)
    if f.category:
        q = q.where(Ticket.category == f.category)
    if f.department:
        q = q.where(Ticket.department == f.department)
    if f.estate_id is not None:
        q = q.where(Ticket.estate_id == f.estate_id)
    if f.overdue is True:
        q = q.where(overdue_sql(now))
    elif f.overdue is False:
        q = q.where(~overdue_sql(now))
    # Urgent first, then the earliest deadline: the order work should be done in.
    q = q.order_by(Ticket.urgent.desc(), Ticket.answer_due, Ticket.id).limit(f.limit).offset(f.offset)
    return list(await session.scalars(q))


# -- what a viewer sees -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReporterInfo:
    name: str
    phone: str | None


@dataclass(frozen=True)
class ThreadItem:
    id: int
    at: datetime
    kind: str
    author: str  # the role's Chinese name, or the staff member's name
    text: str | None
    has_photo: bool


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    action: str
    action_zh: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str | None
    target: str | None
    rating: str | None


@dataclass(frozen=True)
class TicketSummaryView:
    id: int
    number: str
    estate: str
    category: str
    category_name: str
    status: str
    status_zh: str
    level: str
    department: str | None
    department_name: str | None
    handler: str
    place: str
    urgent: bool
    supervised: bool
    overdue: bool
    created_at: datetime
    due: datetime | None


@dataclass(frozen=True)
class TicketDetailView:
    summary: TicketSummaryView
    description: str
    building: str | None
    unit: str | None
    room: str | None
    named_place: str | None
    anonymous: bool
    reporter: ReporterInfo
    answer_due: datetime
    response_due: datetime | None
    extensions: int
    reopens: int
    rating: str | None
    actions: list[str] = field(default_factory=list)
    thread: list[ThreadItem] = field(default_factory=list)
    history: list[HistoryItem] = field(default_factory=list)


async def summary_view(session: AsyncSession, t: Ticket, now: datetime, *, show_room: bool = False
                       ) -> TicketSummaryView:
    estate = await session.get(Estate, t.estate_id)
    status = TicketStatus(t.status)
    return TicketSummaryView(
        id=t.id, number=t.number, estate=estate.name if estate else "", category=t.category,
        category_name=catalog.category_name(t.category), status=status.value, status_zh=status.zh,
        level=t.level, department=t.department,
        department_name=await department_name(session, t.street_office_id, t.department),
        handler=await handler_name(session, t),
        place=place_text(t.building, t.unit if show_room else None, t.room if show_room else None, t.place),
        urgent=t.urgent, supervised=t.supervised, overdue=overdue(t, now), created_at=t.created_at,
        due=current_due(Deadlines(answer_due=t.answer_due, response_due=t.response_due), status))


async def staff_detail(session: AsyncSession, t: Ticket, person_id: int, now: datetime) -> TicketDetailView:
    """The ticket as this staff member may see it; NotAllowed outside their jurisdiction."""
    me = await staff_actor(session, person_id, t)
    reporter = await session.get(Person, t.reporter_person_id) if t.reporter_person_id else None
    view = reporter_view(me.role, name=reporter.display_name if reporter else "（已删除）",
                         phone=reporter.phone if reporter else None,
                         phone_shared=bool(reporter and reporter.phone_shared), level=HandlerLevel(t.level),
                         category=t.category, anonymous=t.anonymous, flagged_about_property=t.about_property)
    shown = may_see_reporter(me.role, level=HandlerLevel(t.level), category=t.category, anonymous=t.anonymous,
                             flagged_about_property=t.about_property)
    shared = bool(reporter and reporter.phone_shared)

    def words(text: str | None) -> str | None:
        if text is None:
            return None
        return mask_phones_in_text(text, shared) if shown else redact_for_hidden_reporter(text)

    names = await _names(session, t)
    thread = [ThreadItem(m.id, m.created_at, m.kind,
                         _author(m.author_role, m.author_person_id, names, shown, t.reporter_person_id),
                         words(m.text) if m.author_role == ActorRole.RESIDENT.value else m.text,
                         m.photo_ref is not None)
              for m in await session.scalars(select(TicketMessage).where(TicketMessage.ticket_id == t.id)
                                             .order_by(TicketMessage.id))]
    history = [HistoryItem(e.at, e.action, _action_zh(e.action), e.from_status, e.to_status,
                           _author(e.actor_role, e.actor_person_id, names, shown, t.reporter_person_id),
                           words(e.reason) if e.actor_role == ActorRole.RESIDENT.value else e.reason,
                           e.target, e.rating)
               for e in await session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id)
                                              .order_by(TicketEvent.id))]
    return TicketDetailView(
        summary=await summary_view(session, t, now, show_room=shown), description=words(t.description) or "",
        building=t.building, unit=t.unit if shown else None, room=t.room if shown else None, named_place=t.place,
        anonymous=t.anonymous, reporter=ReporterInfo(view.name, view.phone), answer_due=t.answer_due,
        response_due=t.response_due, extensions=t.extensions, reopens=t.reopens, rating=t.rating,
        actions=sorted(a.value for a in allowed_actions(state_of(t), me.role)), thread=thread, history=history)


async def _names(session: AsyncSession, t: Ticket) -> dict[int, str]:
    ids = set(await session.scalars(select(TicketEvent.actor_person_id).where(
        TicketEvent.ticket_id == t.id, TicketEvent.actor_person_id.is_not(None))))
    ids |= set(await session.scalars(select(TicketMessage.author_person_id).where(
        TicketMessage.ticket_id == t.id, TicketMessage.author_person_id.is_not(None))))
    if not ids:
        return {}
    return {p.id: p.display_name for p in await session.scalars(select(Person).where(Person.id.in_(ids)))}


def _author(role: str, person_id: int | None, names: dict[int, str], reporter_shown: bool,
            reporter_id: int | None) -> str:
    try:
        r = ActorRole(role)
    except ValueError:
        return role
    if r is ActorRole.RESIDENT:
        # Residents other than the reporter (followers) are as private as the reporter.
        if reporter_shown and person_id is not None and person_id in names:
            return f"居民 {names[person_id]}" if person_id == reporter_id else "关注居民"
        return "居民"
    if r is ActorRole.SYSTEM or person_id is None:
        return r.zh
    return f"{r.zh} {names.get(person_id, '')}".strip()


def _action_zh(action: str) -> str:
    extra = {"create": "提交", "follow": "加入关注", "recategorise": "改类"}
    if action in extra:
        return extra[action]
    try:
        return Action(action).zh
    except ValueError:
        return action


# -- residents ----------------------------------------------------------------------------------------
async def residents_tickets(session: AsyncSession, person_id: int, limit: int = 5) -> list[Ticket]:
    """The resident's most recent tickets, reported or followed."""
    followed = select(TicketFollower.ticket_id).where(TicketFollower.person_id == person_id)
    return list(await session.scalars(
        select(Ticket).where(or_(Ticket.reporter_person_id == person_id, Ticket.id.in_(followed)))
        .order_by(Ticket.id.desc()).limit(limit)))


__all__ = ["OPEN", "QueueFilter", "TicketDetailView", "TicketSummaryView", "is_staff", "jurisdiction_sql",
           "overdue", "residents_tickets", "staff_detail", "staff_queue", "summary_view"]
