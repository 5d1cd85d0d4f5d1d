"""Staff correct a ticket's category (改类): the classifier or the resident picked the wrong one.

The ticket is routed again by the taxonomy (and the district's overrides), exactly as if it had
come in with the new category: its level, handling office and department follow; a supervised
ticket stays in the street office's queue. The status, the thread and the deadline the resident
was given stay as they are (a new category is not a new complaint). The change is an event
("recategorise", with the old category in `data`), goes to the new office's channels through the
outbox, and the resident and followers are told who handles it now.

A complaint ever filed under a category about the property company stays hidden from the company
(about_property is never cleared), so a correction cannot reveal who complained.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.tickets import catalog, texts
from core.tickets.config import DEFAULT, TicketConfig
from core.tickets.lifecycle import TicketStatus
from core.tickets.outbox import enqueue_for_event
from core.tickets.privacy import ABOUT_PROPERTY_CATEGORIES
from core.tickets.routing import UnknownCategory, route, supervision_route
from core.tickets.service import (
    NotAllowed,
    TicketActor,
    TicketError,
    _facts,
    _tell_residents,
    estate_context,
    handler_name,
    staff_actor,
)
from storage.models.tickets import Ticket, TicketEvent

ACTION = "recategorise"
ACTION_ZH = "改类"


async def recategorise(session: AsyncSession, t: Ticket, actor: TicketActor, category: str, now: datetime, *,
                       reason: str | None = None, config: TicketConfig = DEFAULT) -> TicketEvent:
    """Change the category and route the ticket again; raises TicketError (Chinese) having changed
    nothing. `actor` must be staff who may act on the ticket now."""
    if actor.person_id is None:
        raise NotAllowed("须由具体人员办理")
    held = await staff_actor(session, actor.person_id, t)  # role and jurisdiction, as for any action
    if held.role is not actor.role:
        raise NotAllowed("无权查看或处理此工单")
    category = category.strip()
    if TicketStatus(t.status).final:
        raise TicketError(f"工单{TicketStatus(t.status).zh}，不能改类")
    if category == t.category:
        raise TicketError(f"工单已是「{catalog.category_name(category)}」类")
    ctx = await estate_context(session, t.estate_id)
    try:
        r = route(category, ctx.offices, overrides=config.overrides)
    except UnknownCategory:
        raise TicketError(f"未知的问题类别：{category}") from None
    if t.supervised:
        r = supervision_route(r, ctx.offices)
    old = t.category
    t.category = category
    t.level, t.matter_level, t.department = r.level.value, r.matter_level.value, r.department
    t.queue, t.office_id = r.queue.value, r.office_id
    t.about_property = t.about_property or category in ABOUT_PROPERTY_CATEGORIES
    t.updated_at = now
    reason = (reason or "").strip() or None
    row = TicketEvent(ticket_id=t.id, action=ACTION, from_status=t.status, to_status=t.status,
                      actor_role=actor.role.value, actor_person_id=actor.person_id, at=now, reason=reason,
                      target=category, data={**_facts(t), "from_category": old})
    session.add(row)
    await session.flush()
    await enqueue_for_event(session, t, row)
    office = await handler_name(session, t)

    def told(lang: str) -> str:
        return texts.say(lang, "recategorised", number=t.number, old=texts.category_name(old, lang),
                         new=texts.category_name(category, lang), office=office,
                         due=texts.due_text(t.answer_due, ctx.zone, lang))

    await _tell_residents(session, t, row, told, False)
    return row

__all__ = ["ACTION", "ACTION_ZH", "recategorise"]
