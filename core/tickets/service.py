"""Tickets through storage: open (route, deadlines, urgent alerts), follow, act (every lifecycle
action through lifecycle.apply), add details; residents and offices are told through core.notify.

Every function works inside the caller's unit of work (one message, one API request, one job
run), so the ticket, its event, its thread and the notifications commit together or not at all.

What a service needs around a ticket lives next door and is re-exported here, so callers import
from this one module: core.tickets.state (refusals, drafts, actors, the stored state, lookups),
core.tickets.parties (reporter, followers, staff, office names), core.tickets.telling (notifying).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.people import actor_for
from core.tickets.access import sees, staff_roles_over
from core.tickets.config import DEFAULT, TicketConfig
from core.tickets.duplicates import Report, TicketSummary, duplicates
from core.tickets.lifecycle import (
    Action,
    ActorRole,
    Event,
    TicketStatus,
    TransitionRefused,
    apply,
)
from core.tickets.outbox import enqueue_for_event
from core.tickets.parties import (
    department_name,
    followers,
    handler_name,
    is_party,
    staff_actor,
    staff_over,
)
from core.tickets.privacy import ABOUT_PROPERTY_CATEGORIES
from core.tickets.rating import Rating
from core.tickets.routing import (
    HandlerLevel,
    QueueKind,
    UnknownCategory,
    route,
    supervision_route,
)
from core.tickets.sla import (
    ExtensionRefused,
    deadlines,
    due_at,
    extended_due_at,
)
from core.tickets.state import (
    SYSTEM,
    EstateContext,
    NotAllowed,
    TicketActor,
    TicketDraft,
    TicketError,
    TicketNotFound,
    due_text,
    estate_context,
    facts,
    place_text,
    profile_of,
    public_place,
    state_of,
    store_state,
    ticket_by_id,
    ticket_by_number,
    ticket_place,
)
from core.tickets.telling import (
    CODE_OF_RATING,
    RATE_CODES,
    alert_urgent,
    rating_buttons,
    tell,
    tell_residents,
)
from storage.models import Department
from storage.models.tickets import Ticket, TicketEvent, TicketFollower, TicketMessage

A, S = Action, TicketStatus
# The names these had while they lived here.
_facts, _tell_residents, _store_state = facts, tell_residents, store_state


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
        await alert_urgent(session, t, ctx)
    return t


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


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
    store_state(t, new)
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
    await tell(session, t, ctx, action, before, new, row, text, config)
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


__all__ = [
    "CODE_OF_RATING", "EstateContext", "NotAllowed", "RATE_CODES", "SYSTEM", "TicketActor", "TicketDraft",
    "TicketError", "TicketNotFound", "TransitionRefused", "act", "add_details", "department_name", "due_text",
    "estate_context", "find_duplicates", "follow", "followers", "handler_name", "is_party", "open_ticket",
    "place_text", "profile_of", "public_place", "rating_buttons", "staff_actor", "staff_over", "state_of",
    "ticket_by_id", "ticket_by_number", "ticket_place",
]
