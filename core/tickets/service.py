"""Tickets through storage: open (route, deadlines, urgent alerts), follow, act (every lifecycle
action through lifecycle.apply), add details; residents and offices are told through core.notify.

Every function works inside the caller's unit of work (one message, one API request, one job
run), so the ticket, its event, its thread and the notifications commit together or not at all.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.notify import message, notify
from core.people import actor_for
from core.roles import Place, Role, ScopeKind
from core.tickets import catalog, texts
from core.tickets.access import acting_role, sees, staff_roles_over
from core.tickets.config import DEFAULT, TicketConfig
from core.tickets.duplicates import Report, TicketSummary, duplicates
from core.tickets.lifecycle import (
    Action,
    ActorRole,
    Event,
    TicketState,
    TicketStatus,
    TransitionRefused,
    apply,
)
from core.tickets.outbox import enqueue_for_event
from core.tickets.privacy import ABOUT_PROPERTY_CATEGORIES
from core.tickets.rating import Rating
from core.tickets.redact import redact_for_hidden_reporter
from core.tickets.routing import (
    EstateOffices,
    HandlerLevel,
    QueueKind,
    UnknownCategory,
    route,
    supervision_route,
)
from core.tickets.sla import (
    ExtensionRefused,
    SlaProfile,
    deadlines,
    due_at,
    extended_due_at,
)
from storage.models import (
    Community,
    Department,
    District,
    Estate,
    Person,
    PropertyCompany,
    RoleGrant,
    StreetOffice,
)
from storage.models.tickets import Ticket, TicketEvent, TicketFollower, TicketMessage

A, S = Action, TicketStatus
RATE_CODES: Mapping[str, Rating] = {"s": Rating.SATISFIED, "b": Rating.BASICALLY_SATISFIED,
                                    "u": Rating.UNSATISFIED}
CODE_OF_RATING = {r: c for c, r in RATE_CODES.items()}


class TicketError(ValueError):
    """A refusal with a message for the person who asked (Chinese)."""


class TicketNotFound(TicketError):
    pass


class NotAllowed(TicketError):
    """Outside the asker's role or jurisdiction. The message never confirms that the ticket exists."""


@dataclass(frozen=True)
class TicketDraft:
    """A confirmed report, ready to become a ticket."""

    estate_id: int
    category: str
    text: str
    reporter_person_id: int | None
    channel: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: tuple[str, ...] = ()
    anonymous: bool = False
    urgent: bool = False
    urgency_reason: str | None = None


@dataclass(frozen=True)
class TicketActor:
    role: ActorRole
    person_id: int | None = None


SYSTEM = TicketActor(ActorRole.SYSTEM)


@dataclass(frozen=True)
class EstateContext:
    estate: Estate
    offices: EstateOffices
    place: Place
    zone: ZoneInfo


# -- places and the ticket's state ---------------------------------------------------------------
async def estate_context(session: AsyncSession, estate_id: int) -> EstateContext:
    estate = await session.get(Estate, estate_id)
    if estate is None:
        raise TicketError("小区不存在")
    community = await session.get(Community, estate.community_id)
    assert community is not None
    office = await session.get(StreetOffice, community.street_office_id)
    assert office is not None
    district = await session.get(District, office.district_id)
    assert district is not None
    offices = EstateOffices(district=district.code, street_office_id=office.id, community_id=community.id,
                            property_company_id=estate.property_company_id)
    place = Place(estate.id, community.id, office.id, district.id)
    return EstateContext(estate, offices, place, ZoneInfo(estate.timezone or "Asia/Shanghai"))


def ticket_place(t: Ticket) -> Place:
    return Place(t.estate_id, t.community_id, t.street_office_id, t.district_id)


def state_of(t: Ticket) -> TicketState:
    return TicketState(number=t.number, status=TicketStatus(t.status), level=HandlerLevel(t.level),
                       extensions=t.extensions, reopens=t.reopens, supervised=t.supervised,
                       extended_from=TicketStatus(t.extended_from) if t.extended_from else None,
                       rating=Rating(t.rating) if t.rating else None)


def _store_state(t: Ticket, state: TicketState) -> None:
    t.status = state.status.value
    t.extended_from = state.extended_from.value if state.extended_from else None
    t.extensions, t.reopens, t.supervised = state.extensions, state.reopens, state.supervised
    t.rating = state.rating.value if state.rating else None


def profile_of(t: Ticket, config: TicketConfig) -> SlaProfile:
    sla = config.sla
    for p in (sla.standard, sla.utilities, sla.urgent):
        if p.code == t.sla_profile:
            return p
    return sla.standard


def due_text(due: datetime, zone: ZoneInfo, lang: str = "zh") -> str:
    """How a deadline is told: the date for working-day deadlines (they end at 23:59:59), date and
    time for clock hours."""
    return texts.due_text(due, zone, lang)


def place_text(building: str | None, unit: str | None, room: str | None, place: str | None) -> str:
    parts = []
    if building:
        parts.append(f"{building}号楼" if building[-1].isdigit() else f"{building}座")
    if unit:
        parts.append(f"{unit}单元")
    if room:
        parts.append(room)
    text = "".join(parts)
    if place:
        text = f"{text} {place}".strip()
    return text


def public_place(t: Ticket) -> str:
    """Where the problem is, without unit or room: safe to show to anyone."""
    return place_text(t.building, None, None, t.place if t.latitude is None else None) or ""


async def ticket_by_id(session: AsyncSession, ticket_id: int) -> Ticket:
    t = await session.get(Ticket, ticket_id)
    if t is None:
        raise TicketNotFound("工单不存在")
    return t


async def ticket_by_number(session: AsyncSession, number: str) -> Ticket:
    t = await session.scalar(select(Ticket).where(Ticket.number == number.strip()))
    if t is None:
        raise TicketNotFound(f"工单 {number} 不存在")
    return t


# -- who ------------------------------------------------------------------------------------------
async def followers(session: AsyncSession, ticket_id: int) -> list[int]:
    return list(await session.scalars(
        select(TicketFollower.person_id).where(TicketFollower.ticket_id == ticket_id)
        .order_by(TicketFollower.id)))


async def is_party(session: AsyncSession, t: Ticket, person_id: int) -> bool:
    """The reporter, or a resident who follows the ticket."""
    return t.reporter_person_id == person_id or person_id in await followers(session, t.id)


async def staff_actor(session: AsyncSession, person_id: int, t: Ticket) -> TicketActor:
    """The role this person acts in on the ticket, or NotAllowed."""
    role = acting_role(await actor_for(session, person_id), ticket_place(t), HandlerLevel(t.level), t.supervised)
    if role is None:
        raise NotAllowed("无权查看或处理此工单")
    return TicketActor(role, person_id)


async def staff_over(session: AsyncSession, place: Place, roles: Iterable[Role]) -> list[int]:
    """Persons holding one of these roles over the estate at `place`."""
    grants = await session.scalars(select(RoleGrant).where(RoleGrant.role.in_([r.value for r in roles])))
    return sorted({g.person_id for g in grants if place.within(ScopeKind(g.scope_kind), g.scope_id)})


async def department_name(session: AsyncSession, street_office_id: int, code: str | None) -> str | None:
    if code is None:
        return None
    # Remembered for the unit of work: a queue or an Open311 page names the same few departments.
    cache: dict[tuple[int, str], str | None] = session.info.setdefault("department_names", {})
    if (street_office_id, code) not in cache:
        d = await session.scalar(select(Department).where(Department.street_office_id == street_office_id,
                                                          Department.code == code))
        cache[(street_office_id, code)] = d.name if d is not None else catalog.department_kind_name(code)
    return cache[(street_office_id, code)]


async def handler_name(session: AsyncSession, t: Ticket) -> str:
    """The office handling the ticket: the property company, the community or the street office."""
    model: Any = {QueueKind.PROPERTY_COMPANY.value: PropertyCompany, QueueKind.COMMUNITY.value: Community,
                  QueueKind.STREET_OFFICE.value: StreetOffice}[t.queue]
    row = await session.get(model, t.office_id)
    return row.name if row is not None else ""


# -- opening ----------------------------------------------------------------------------------------
async def find_duplicates(session: AsyncSession, estate_id: int, category: str, building: str | None,
                          now: datetime, config: TicketConfig = DEFAULT) -> list[Ticket]:
    """Open tickets of the same problem (duplicates.py), oldest first."""
    rows = list(await session.scalars(
        select(Ticket).where(Ticket.estate_id == estate_id, Ticket.category == category,
                             Ticket.created_at >= now - config.duplicate_window)))
    by_number = {t.number: t for t in rows}
    found = duplicates(Report(estate_id, category, building, now),
                       [TicketSummary(t.number, t.estate_id, t.category, t.building, t.created_at,
                                      TicketStatus(t.status)) for t in rows], config.duplicate_window)
    return [by_number[s.number] for s in found]


async def open_ticket(session: AsyncSession, draft: TicketDraft, now: datetime,
                      config: TicketConfig = DEFAULT) -> Ticket:
    ctx = await estate_context(session, draft.estate_id)
    text = draft.text.strip()
    if not text and not draft.photos:
        raise TicketError("请说明需要处理的问题")
    try:
        r = route(draft.category, ctx.offices, overrides=config.overrides)
    except UnknownCategory:
        raise TicketError(f"未知的问题类别：{draft.category}") from None
    d = deadlines(draft.category, draft.urgent, now, config.sla, ctx.zone)
    t = Ticket(
        number=f"new-{uuid.uuid4().hex}",  # replaced by the real number once the id is known
        estate_id=ctx.estate.id, community_id=ctx.place.community_id,
        street_office_id=ctx.place.street_office_id, district_id=ctx.place.district_id,
        property_company_id=ctx.estate.property_company_id,
        building=_clean(draft.building), unit=_clean(draft.unit), room=_clean(draft.room),
        place=_clean(draft.place), latitude=draft.latitude, longitude=draft.longitude,
        reporter_person_id=draft.reporter_person_id, channel=draft.channel, anonymous=draft.anonymous,
        about_property=draft.category in ABOUT_PROPERTY_CATEGORIES,
        category=draft.category, description=text, urgent=draft.urgent, urgency_reason=draft.urgency_reason,
        status=S.NEW.value, extensions=0, reopens=0, supervised=False,
        level=r.level.value, matter_level=r.matter_level.value, queue=r.queue.value, office_id=r.office_id,
        department=r.department, sla_profile=d.profile.code, response_due=d.response_due,
        answer_due=d.answer_due, first_due=d.response_due or d.answer_due, created_at=now, updated_at=now)
    session.add(t)
    await session.flush()
    # The number residents quote: estate, local date, a serial that is unique because it is the id.
    t.number = f"{ctx.estate.code}{now.astimezone(ctx.zone):%y%m%d}-{t.id:04d}"
    session.add(TicketMessage(ticket_id=t.id, kind="report", author_role=ActorRole.RESIDENT.value,
                              author_person_id=draft.reporter_person_id, text=text or None, created_at=now))
    for ref in draft.photos:
        session.add(TicketMessage(ticket_id=t.id, kind="report", author_role=ActorRole.RESIDENT.value,
                                  author_person_id=draft.reporter_person_id, photo_ref=ref, created_at=now))
    created = TicketEvent(ticket_id=t.id, action="create", from_status=None, to_status=S.NEW.value,
                          actor_role=ActorRole.RESIDENT.value, actor_person_id=draft.reporter_person_id,
                          at=now, data=_facts(t))
    session.add(created)
    await session.flush()
    await enqueue_for_event(session, t, created)
    if t.urgent:
        await _alert_urgent(session, t, ctx)
    return t


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _facts(t: Ticket) -> dict[str, Any]:
    """What an outbox needs to deliver an event without re-reading the ticket."""
    return {"number": t.number, "status": t.status, "level": t.level, "queue": t.queue, "office_id": t.office_id,
            "department": t.department, "category": t.category, "urgent": t.urgent, "supervised": t.supervised,
            "answer_due": t.answer_due.isoformat()}


async def _alert_urgent(session: AsyncSession, t: Ticket, ctx: EstateContext) -> None:
    """Tell on-duty property staff (the community where there is no property company) and the
    street office at once. settings["on_duty"] lists on-duty persons; else all property staff."""
    on_duty = [int(p) for p in (ctx.estate.settings or {}).get("on_duty", []) if str(p).isdigit()]
    first = Role.PROPERTY_STAFF if ctx.estate.property_company_id is not None else Role.COMMUNITY_STAFF
    people = set(on_duty or await staff_over(session, ctx.place, [first]))
    people |= set(await staff_over(session, ctx.place, [Role.STREET_STAFF]))
    hidden = t.anonymous or t.about_property
    where = place_text(t.building, None if hidden else t.unit, None if hidden else t.room, t.place)
    what = redact_for_hidden_reporter(t.description) if hidden else t.description
    text = (f"【紧急工单】{ctx.estate.name} {where}\n{catalog.category_name(t.category)}：{what}\n"
            f"工单 {t.number}，请立即处置并尽快受理（{due_text(t.response_due or t.answer_due, ctx.zone)}前）。")
    await notify(session, people, message(text), "ticket", f"ticket:{t.id}:urgent")


# -- following and details --------------------------------------------------------------------------
async def follow(session: AsyncSession, t: Ticket, person_id: int, now: datetime) -> bool:
    """我也遇到了: the resident is told of progress like the reporter. False if already a party."""
    if TicketStatus(t.status).final:
        raise TicketError("该工单已结束，不能加入关注")
    if await is_party(session, t, person_id):
        return False
    session.add(TicketFollower(ticket_id=t.id, person_id=person_id, created_at=now))
    session.add(TicketEvent(ticket_id=t.id, action="follow", from_status=t.status, to_status=t.status,
                            actor_role=ActorRole.RESIDENT.value, actor_person_id=person_id, at=now,
                            data=_facts(t)))
    await session.flush()
    return True


async def add_details(session: AsyncSession, t: Ticket, person_id: int, now: datetime, *,
                      text: str | None = None, photo_ref: str | None = None) -> TicketMessage:
    text = (text or "").strip() or None
    if text is None and photo_ref is None:
        raise TicketError("请发送文字或照片作为补充说明")
    m = TicketMessage(kind="details", author_role=ActorRole.RESIDENT.value, author_person_id=person_id,
                      text=text, photo_ref=photo_ref, created_at=now)
    await act(session, t, TicketActor(ActorRole.RESIDENT, person_id), A.ADD_DETAILS, now, message=m)
    return m


# -- acting -----------------------------------------------------------------------------------------
async def act(session: AsyncSession, t: Ticket, actor: TicketActor, action: Action, now: datetime, *,
              reason: str | None = None, text: str | None = None, department: str | None = None,
              target: str | None = None, days: int | None = None, rating: Rating | None = None,
              message: TicketMessage | None = None, config: TicketConfig = DEFAULT) -> Event:
    """Apply one lifecycle action to the ticket, with its side effects; raises TicketError or
    TransitionRefused (both carry a Chinese message that can be shown as is), having changed nothing.

    `message` joins the thread with the event (a resident's details); an answer's text becomes one.
    """
    await _authorize(session, t, actor, action)
    ctx = await estate_context(session, t.estate_id)
    profile = profile_of(t, config)
    new_due: datetime | None = None
    merge_into: Ticket | None = None
    if action is A.EXTEND:
        if days is None:
            raise TicketError("延期须说明延长几个工作日")
        try:
            new_due = extended_due_at(t.answer_due, days, profile, ctx.zone)
        except ExtensionRefused as e:
            raise TicketError(str(e)) from None
    if action is A.ANSWER:
        text = (text or reason or "").strip()
        if not text:
            raise TicketError("答复内容不能为空")
    if action is A.DISPATCH and department is not None:
        department = await _check_department(session, t, department)
    if action is A.MERGE and target:
        merge_into = await _merge_target(session, t, target)
        target = merge_into.number
    before = state_of(t)
    new, event = apply(before, action, actor.role, reason, now, actor_id=actor.person_id, target=target,
                       rating=rating)
    _store_state(t, new)
    t.updated_at = now
    if action in (A.ACCEPT, A.REFER) and t.responded_at is None:
        t.responded_at = now
    if action is A.DISPATCH and department is not None:
        t.department = department
    if action is A.ANSWER:
        t.answered_at = now
    if new_due is not None:
        t.answer_due = new_due
    if new.status is S.REOPENED and before.status is not S.REOPENED:
        # A reopened ticket gets a fresh deadline with the same profile, counted from now (sla.py).
        t.answer_due = due_at(profile, now, ctx.zone)
    if new.status.final:
        t.finished_at = now
    if action is A.REFER:
        t.referred_to = event.target
    if merge_into is not None:
        t.merged_into_id = merge_into.id
    if new.supervised and not before.supervised:
        sup = supervision_route(_route_of(t), ctx.offices)
        t.queue, t.office_id = sup.queue.value, sup.office_id
    if action is A.ANSWER:
        message = TicketMessage(kind="answer", author_role=actor.role.value, author_person_id=actor.person_id,
                                text=text, created_at=now)
    facts = _facts(t)
    if message is not None:
        message.ticket_id = t.id
        session.add(message)
        await session.flush()
        facts["message_id"] = message.id  # so an outbox can carry the words and photos along
    row = TicketEvent(ticket_id=t.id, action=action.value, from_status=before.status.value,
                      to_status=new.status.value, actor_role=actor.role.value, actor_person_id=actor.person_id,
                      at=now, reason=event.reason, target=event.target,
                      rating=event.rating.value if event.rating else None, data=facts)
    session.add(row)
    await session.flush()
    await enqueue_for_event(session, t, row)
    if merge_into is not None:
        for pid in [t.reporter_person_id, *await followers(session, t.id)]:
            if pid is not None and not await is_party(session, merge_into, pid):
                session.add(TicketFollower(ticket_id=merge_into.id, person_id=pid, created_at=now))
        await session.flush()
    await _tell(session, t, ctx, action, before, new, row, text, config)
    return event


def _route_of(t: Ticket) -> Any:
    from core.tickets.routing import Route

    return Route(level=HandlerLevel(t.level), department=t.department, queue=QueueKind(t.queue),
                 office_id=t.office_id, matter_level=HandlerLevel(t.matter_level))


async def _authorize(session: AsyncSession, t: Ticket, actor: TicketActor, action: Action) -> None:
    if actor.role is ActorRole.SYSTEM:
        return
    if actor.person_id is None:
        raise NotAllowed("须由具体人员办理")
    if actor.role is ActorRole.RESIDENT:
        ok = (t.reporter_person_id == actor.person_id if action is A.RATE
              else await is_party(session, t, actor.person_id))
        if not ok:
            raise NotAllowed("这不是您反映的工单")
        return
    # Staff: a role they hold over this estate, and one that may see this ticket.
    held = staff_roles_over(await actor_for(session, actor.person_id), ticket_place(t))
    if actor.role not in held or not sees(actor.role, HandlerLevel(t.level), t.supervised):
        raise NotAllowed("无权查看或处理此工单")


async def _check_department(session: AsyncSession, t: Ticket, code: str) -> str:
    code = code.strip()
    exists = await session.scalar(select(Department.id).where(Department.street_office_id == t.street_office_id,
                                                              Department.code == code))
    if exists is None:
        raise TicketError(f"本街道没有登记部门「{code}」")
    return code


async def _merge_target(session: AsyncSession, t: Ticket, number: str) -> Ticket:
    target = await ticket_by_number(session, number)
    if target.id == t.id:
        raise TicketError("不能把工单合并到它自己")
    if target.estate_id != t.estate_id:
        raise TicketError("只能合并同一小区的工单")
    if TicketStatus(target.status).final:
        raise TicketError(f"工单 {target.number} 已结束，不能合并进去")
    return target


# -- telling people ---------------------------------------------------------------------------------
def rating_buttons(ticket_id: int, lang: str = "zh") -> list[list[tuple[str, str]]]:
    return [[(texts.rating_name(r, lang), f"tkrate:{ticket_id}:{c}") for c, r in RATE_CODES.items()]]


async def _tell(session: AsyncSession, t: Ticket, ctx: EstateContext, action: Action, before: TicketState,
                new: TicketState, row: TicketEvent, text: str | None, config: TicketConfig) -> None:
    dept: str | None = None
    if action is A.DISPATCH and t.department and row.actor_role in (ActorRole.COMMUNITY_STAFF, ActorRole.STREET_STAFF):
        # Summoning a department is news; a property company's internal dispatch is not.
        dept = await department_name(session, t.street_office_id, t.department)

    def body(lang: str) -> str | None:
        head = texts.say(lang, "head", number=t.number, category=texts.category_name(t.category, lang))
        due = texts.due_text(t.answer_due, ctx.zone, lang)
        match action:
            case A.ACCEPT:
                return texts.say(lang, "accepted", head=head, due=due)
            case A.DISPATCH if dept is not None:
                return texts.say(lang, "dispatched", head=head, dept=dept)
            case A.ANSWER:
                return texts.say(lang, "answer", head=head, text=text)
            case A.EXTEND:
                return texts.say(lang, "extended", head=head, reason=row.reason, due=due)
            case A.REFER:
                why = texts.say(lang, "referred_why", reason=row.reason) if row.reason else ""
                return texts.say(lang, "referred", head=head, target=row.target) + why
            case A.MERGE:
                return texts.say(lang, "merged", head=head, target=row.target)
            case A.CLOSE:
                return texts.say(lang, "closed", head=head)
            case A.REOPEN:
                return texts.say(lang, "reopened", head=head, reason=row.reason, due=due)
            case A.ESCALATE:
                return texts.say(lang, "escalated", head=head)
        return None

    if body("zh") is not None:
        await _tell_residents(session, t, row, body, action is A.ANSWER)
    if new.supervised and not before.supervised:
        street = await staff_over(session, ctx.place, [Role.STREET_STAFF])
        why = "居民再次不满意" if action is A.RATE else "超过办理期限"
        head = f"工单 {t.number}（{catalog.category_name(t.category)}）"
        await notify(session, street, message(f"【督办】{ctx.estate.name} {head}{why}，已转入街道督办队列。"),
                     "ticket", f"ticket:{t.id}:event:{row.id}:street")


async def _tell_residents(session: AsyncSession, t: Ticket, row: TicketEvent, text: Callable[[str], str | None],
                          rate: bool) -> None:
    """The reporter and the followers, each in their language; only the reporter is asked to rate
    an answer."""
    key = f"ticket:{t.id}:event:{row.id}"
    people = [p for p in dict.fromkeys([t.reporter_person_id, *await followers(session, t.id)]) if p is not None]
    if not people:
        return
    langs = dict((await session.execute(select(Person.id, Person.language).where(Person.id.in_(people)))).tuples().all())
    for pid in people:
        lang = texts.lang_of(langs.get(pid))
        said = text(lang)
        if said is None:
            continue
        if rate and pid == t.reporter_person_id:
            body = message(f"{said}\n{texts.say(lang, 'rate_ask')}", rating_buttons(t.id, lang))
        else:
            body = message(said)
        await notify(session, [pid], body, "ticket", key)


__all__ = [
    "EstateContext", "NotAllowed", "RATE_CODES", "SYSTEM", "TicketActor", "TicketDraft", "TicketError",
    "TicketNotFound", "TransitionRefused", "act", "add_details", "due_text", "estate_context", "find_duplicates",
    "follow", "followers", "handler_name", "is_party", "open_ticket", "place_text", "public_place",
    "rating_buttons", "staff_actor", "staff_over", "state_of", "ticket_by_id", "ticket_by_number",
    "ticket_place",
]
