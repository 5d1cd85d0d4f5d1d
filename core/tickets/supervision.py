"""What a street office watches over (product.md §3, 督办): its jurisdiction's open tickets by the
department each would summon, the tickets past their deadline or under supervision, and which
month a report covers.

Open means not final (closed, merged, referred), as the queue's "open" filter; overdue is
queries.overdue (running against a passed deadline). Every ticket of the street office counts,
whatever its level: the street office sees all of them (access.py) and summons departments for
property matters too (电梯 → 市场监管).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.tickets import catalog
from core.tickets.lifecycle import FINAL, TicketStatus
from core.tickets.queries import overdue
from core.tickets.report import NO_DEPARTMENT, ReportError
from core.tickets.routing import HandlerLevel
from core.tickets.service import department_name
from core.tickets.sla import ESTATE_ZONE, Deadlines, current_due
from storage.models import Community, Estate, PropertyCompany, StreetOffice
from storage.models.tickets import Ticket

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FIRST_YEAR = 2000  # no ticket predates the product; earlier months are typing mistakes


@dataclass(frozen=True)
class DepartmentLoad:
    code: str  # "" when the category summons no department
    name: str
    open: int
    overdue: int


@dataclass(frozen=True)
class SupervisedTicket:
    id: int
    number: str
    estate: str
    category_name: str
    status_zh: str
    handler: str  # who answers for the matter (responsible_name), not the supervising office
    department_name: str | None
    due: datetime | None
    late_by: timedelta | None  # None: supervised but still within its deadline
    supervised: bool
    urgent: bool

    @property
    def late_text(self) -> str:
        return late_text(self.late_by) if self.late_by is not None else ""


@dataclass(frozen=True)
class Supervision:
    tickets: list[SupervisedTicket]
    overdue_by_estate: list[tuple[str, int]]
    overdue_by_handler: list[tuple[str, int]]

    @property
    def overdue_count(self) -> int:
        return sum(1 for t in self.tickets if t.late_by is not None)


def late_text(delta: timedelta) -> str:
    """How long past the deadline, as a desk reads it: 「3天4小时」, 「5小时」, 「不足1小时」."""
    hours = int(delta.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    return f"{hours}小时" if hours else "不足1小时"


def parse_month(text: str | None) -> str:
    """A report month typed by a person: exactly YYYY-MM from 2000 on; ReportError otherwise."""
    value = (text or "").strip()
    m = MONTH.match(value)
    if not m or int(m.group(1)) < FIRST_YEAR:
        raise ReportError(f"月份「{value[:20]}」格式不正确，请按 YYYY-MM 填写，例如 2026-11")
    return value


def month_of(now: datetime) -> str:
    """The month (estate time) a moment falls in: the default report month."""
    return now.astimezone(ESTATE_ZONE).strftime("%Y-%m")


async def _open_tickets(session: AsyncSession, office_id: int) -> list[Ticket]:
    return list(await session.scalars(
        select(Ticket).where(Ticket.street_office_id == office_id,
                             Ticket.status.notin_([s.value for s in FINAL])).order_by(Ticket.id)))


async def open_by_department(session: AsyncSession, office_id: int, now: datetime) -> list[DepartmentLoad]:
    """Open tickets of the street office per department to summon; most overdue first."""
    opened: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for t in await _open_tickets(session, office_id):
        key = t.department or ""
        opened[key] += 1
        late[key] += overdue(t, now)
    rows = [DepartmentLoad(code, (await department_name(session, office_id, code) or code) if code else NO_DEPARTMENT,
                           n, late[code]) for code, n in opened.items()]
    return sorted(rows, key=lambda r: (-r.overdue, -r.open, r.code == "", r.code))


async def supervision(session: AsyncSession, office_id: int, now: datetime) -> Supervision:
    """Open tickets past their deadline or under supervision (督办): longest overdue first, then the
    supervised ones within their deadline; with overdue counts per estate and per handler."""
    tickets = [t for t in await _open_tickets(session, office_id) if t.supervised or overdue(t, now)]
    estates = {e.id: e.name for e in await session.scalars(
        select(Estate).where(Estate.id.in_({t.estate_id for t in tickets})))} if tickets else {}
    items = []
    for t in tickets:
        status = TicketStatus(t.status)
        due = current_due(Deadlines(answer_due=t.answer_due, response_due=t.response_due), status)
        items.append(SupervisedTicket(
            id=t.id, number=t.number, estate=estates.get(t.estate_id, ""), category_name=catalog.category_name(t.category),
            status_zh=status.zh, handler=await responsible_name(session, t),
            department_name=await department_name(session, office_id, t.department),
            due=due, late_by=now - due if overdue(t, now) and due is not None else None,
            supervised=t.supervised, urgent=t.urgent))
    items.sort(key=lambda i: (i.late_by is None, -(i.late_by or timedelta()).total_seconds(), i.id))
    late = [i for i in items if i.late_by is not None]
    return Supervision(items, _counted(i.estate for i in late), _counted(i.handler for i in late))


async def responsible_name(session: AsyncSession, t: Ticket) -> str:
    """Who answers for the matter: the property company for property matters (the community where
    the estate has none), the community or the street office otherwise. Supervision moves a ticket
    into the street office's queue (service.act), so the current handler would hide whose work is late."""
    level = HandlerLevel(t.matter_level)
    row: PropertyCompany | Community | StreetOffice | None
    if level is HandlerLevel.PROPERTY and t.property_company_id is not None:
        row = await session.get(PropertyCompany, t.property_company_id)
    elif level in (HandlerLevel.PROPERTY, HandlerLevel.COMMUNITY):
        row = await session.get(Community, t.community_id)
    else:
        row = await session.get(StreetOffice, t.street_office_id)
    return row.name if row is not None else ""


def _counted(names: Iterable[str]) -> list[tuple[str, int]]:
    counts = Counter(names)
    return sorted(counts.items(), key=lambda p: (-p[1], p[0]))


__all__ = ["DepartmentLoad", "SupervisedTicket", "Supervision", "late_text", "month_of", "open_by_department",
           "parse_month", "responsible_name", "supervision"]
