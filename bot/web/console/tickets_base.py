"""What the ticket queue and the ticket page share: who may use them, the ticket configuration,
local times, and the fixed vocabularies of the forms (statuses, categories, actions)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.console.base import Missing, runtime
from core.accounts import SignedIn
from core.roles import Role
from core.tickets import catalog
from core.tickets.config import DEFAULT, TicketConfig
from core.tickets.lifecycle import Action, TicketStatus
from core.tickets.service import NotAllowed, TicketActor, TicketNotFound, staff_actor, ticket_by_id
from storage.models.tickets import Ticket

STAFF = (Role.PROPERTY_STAFF, Role.COMMUNITY_STAFF, Role.STREET_STAFF)
# The actions a desk offers on the ticket page, in the order work goes; bulk actions on the queue.
PAGE_ACTIONS = (Action.ACCEPT, Action.DISPATCH, Action.START, Action.ANSWER, Action.EXTEND, Action.RETURN,
                Action.CLOSE)
BULK_ACTIONS = (Action.ACCEPT, Action.START, Action.CLOSE)
STATUSES = [(s.value, s.zh) for s in TicketStatus]


def ticket_config(request: Request) -> TicketConfig:
    c = runtime(request).services.extra.get("tickets")
    return c if isinstance(c, TicketConfig) else DEFAULT


def categories() -> list[tuple[str, str]]:
    return [(code, catalog.category_name(code)) for code in catalog.category_codes()]


def zone(request: Request) -> ZoneInfo:
    return ZoneInfo(runtime(request).settings.timezone)


def local(request: Request) -> Callable[[datetime | None], str]:
    """`when(dt)` in templates: a local date and time a clerk reads at a glance."""
    z = zone(request)

    def when(dt: datetime | None) -> str:
        return "" if dt is None else dt.astimezone(z).strftime("%Y-%m-%d %H:%M")
    return when


def time_left(due: datetime | None, now: datetime) -> str:
    """剩余 2天3小时 / 已超期 5小时: how far the deadline is, in words."""
    if due is None:
        return ""
    seconds = int((due - now).total_seconds())
    days, rest = divmod(abs(seconds), 86400)
    hours = rest // 3600
    span = (f"{days}天" if days else "") + (f"{hours}小时" if hours or not days else "")
    return f"剩余 {span}" if seconds >= 0 else f"已超期 {span}"


def id_of(text: str) -> int:
    """An id from the address; anything else is a page that does not exist (not a server error)."""
    if not text.isdigit() or len(text) > 12:
        raise Missing("工单不存在或不在您的管辖范围内")
    return int(text)


async def ticket_in_reach(session: AsyncSession, me: SignedIn, ticket_id: int) -> tuple[Ticket, TicketActor]:
    """The ticket and the role the viewer acts in on it; Missing when it is not theirs to see."""
    try:
        t = await ticket_by_id(session, ticket_id)
        return t, await staff_actor(session, me.person_id, t)
    except (TicketNotFound, NotAllowed):
        raise Missing("工单不存在或不在您的管辖范围内") from None
