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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.tickets import catalog
from core.tickets.lifecycle import FINAL, TicketStatus
from core.tickets.queries import overdue_sql as overdue_sql  # the queue's filter: one rule, one place
from core.tickets.report import NO_DEPARTMENT, ReportError
from core.tickets.routing import HandlerLevel
from core.tickets.service import department_name
from core.tickets.sla import ESTATE_ZONE, Deadlines, current_due, is_overdue
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
    tickets: list[SupervisedTicket]  # the first `limit`, longest overdue first
    overdue_by_estate: list[tuple[str, int]]
    overdue_by_handler: list[tuple[str, int]]
    overdue_count: int
    supervised_count: int
    listed_all: bool  # False: more than `limit` tickets, the rest are in the queue


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


_OPEN = Ticket.status.notin_([s.value for s in FINAL])
# The columns the supervision list needs: whole Ticket objects cost ten times as much on a big street.
_LISTED = (Ticket.id, Ticket.number, Ticket.estate_id, Ticket.community_id, Ticket.property_company_id,
           Ticket.matter_level, Ticket.category, Ticket.status, Ticket.department, Ticket.answer_due,
           Ticket.response_due, Ticket.supervised, Ticket.urgent)


async def open_by_department(session: AsyncSession, office_id: int, now: datetime) -> list[DepartmentLoad]:
    """Open tickets of the street office per department to summon; most overdue first. Overdue is
    the queue's own filter (queries), so the counts match what the linked queue shows."""
    late = func.sum(case((overdue_sql(now), 1), else_=0))
    rows = (await session.execute(
        select(Ticket.department, func.count(), late).where(Ticket.street_office_id == office_id, _OPEN)
        .group_by(Ticket.department))).tuples().all()
    loads = [DepartmentLoad(code or "", (await department_name(session, office_id, code) or code) if code
                            else NO_DEPARTMENT, int(n), int(k or 0)) for code, n, k in rows]
    return sorted(loads, key=lambda r: (-r.overdue, -r.open, r.code == "", r.code))


async def supervision(session: AsyncSession, office_id: int, now: datetime, limit: int = 200) -> Supervision:
    """Open tickets past their deadline or under supervision (督办): longest overdue first, then the
    supervised ones within their deadline, at most `limit` of them; the overdue counts per estate
    and per responsible office cover them all."""
    rows = (await session.execute(select(*_LISTED).where(
        Ticket.street_office_id == office_id, _OPEN, or_(Ticket.supervised.is_(True), overdue_sql(now))))).all()
    names = await _Names.load(session, office_id, rows)
    items = []
    for t in rows:
        status = TicketStatus(t.status)
        due = current_due(Deadlines(answer_due=t.answer_due, response_due=t.response_due), status)
        late = due is not None and is_overdue(due, now)
        items.append(SupervisedTicket(
            id=t.id, number=t.number, estate=names.estates.get(t.estate_id, ""),
            category_name=catalog.category_name(t.category), status_zh=status.zh, handler=names.responsible(t),
            department_name=await department_name(session, office_id, t.department),
            due=due, late_by=now - due if late and due is not None else None, supervised=t.supervised,
            urgent=t.urgent))
    items.sort(key=lambda i: (i.late_by is None, -(i.late_by or timedelta()).total_seconds(), i.id))
    late_ones = [i for i in items if i.late_by is not None]
    return Supervision(items[:limit], _counted(i.estate for i in late_ones),
                       _counted(i.handler for i in late_ones), len(late_ones), sum(i.supervised for i in items),
                       len(items) <= limit)


@dataclass(frozen=True)
class _Names:
    """Names of the estates and offices a list of tickets refers to, read in one query each."""
    estates: dict[int, str]
    companies: dict[int, str]
    communities: dict[int, str]
    office: str

    @classmethod
    async def load(cls, session: AsyncSession, office_id: int, rows: Sequence[Any]) -> _Names:
        async def named(model: Any, ids: set[int]) -> dict[int, str]:
            if not ids:
                return {}
            return dict((await session.execute(select(model.id, model.name).where(model.id.in_(ids)))).tuples().all())

        office = await session.get(StreetOffice, office_id)
        return cls(await named(Estate, {r.estate_id for r in rows}),
                   await named(PropertyCompany, {r.property_company_id for r in rows if r.property_company_id}),
                   await named(Community, {r.community_id for r in rows}), office.name if office else "")

    def responsible(self, t: Any) -> str:
        """Who answers for the matter: the property company for property matters (the community
        where the estate has none), the community or the street office otherwise. Supervision moves
        a ticket into the street office's queue (service.act), so its current handler would hide
        whose work is late."""
        level = HandlerLevel(t.matter_level)
        if level is HandlerLevel.PROPERTY and t.property_company_id is not None:
            return self.companies.get(t.property_company_id, "")
        if level in (HandlerLevel.PROPERTY, HandlerLevel.COMMUNITY):
            return self.communities.get(t.community_id, "")
        return self.office


def _counted(names: Iterable[str]) -> list[tuple[str, int]]:
    counts = Counter(names)
    return sorted(counts.items(), key=lambda p: (-p[1], p[0]))


__all__ = ["DepartmentLoad", "SupervisedTicket", "Supervision", "late_text", "month_of", "open_by_department",
           "parse_month", "supervision"]
