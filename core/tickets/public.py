"""Tickets as the public may see them (the Open311 GeoReport v2 read API, bot/web/open311.py).

Nothing personal, by construction: no reporter, no words of the resident, no photos, no unit,
room or coordinates. The address is the estate and the building (or a named common place such as
地下车库), which is where the problem is, not who reported it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.tickets import catalog
from core.tickets.lifecycle import FINAL, TicketStatus
from core.tickets.service import department_name, handler_name, public_place
from storage.models import Estate, StreetOffice
from storage.models.tickets import Ticket

OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class PublicTicket:
    number: str
    jurisdiction: str  # the street office's code
    status: str  # open / closed
    status_notes: str
    service_code: str
    service_name: str
    agency_responsible: str
    requested: datetime
    updated: datetime
    expected: datetime
    address: str


class UnknownJurisdiction(LookupError):
    pass


async def _public(session: AsyncSession, t: Ticket, offices: dict[int, str]) -> PublicTicket:
    status = TicketStatus(t.status)
    estate = await session.get(Estate, t.estate_id)
    notes = status.zh
    if status is TicketStatus.REFERRED and t.referred_to:
        notes = f"{notes}：{t.referred_to}"
    elif status is TicketStatus.MERGED and t.merged_into_id:
        target = await session.get(Ticket, t.merged_into_id)
        notes = f"{notes}：{target.number if target else ''}"
    # The department summoned answers for street matters and supervised ones; else the handler does.
    summoned = t.department if (t.level == "street" or t.supervised) else None
    agency = await department_name(session, t.street_office_id, summoned) or await handler_name(session, t)
    return PublicTicket(
        number=t.number, jurisdiction=offices.get(t.street_office_id, ""),
        status=CLOSED if status in FINAL else OPEN, status_notes=notes, service_code=t.category,
        service_name=catalog.category_name(t.category), agency_responsible=agency, requested=t.created_at,
        updated=t.updated_at, expected=t.answer_due,
        address=f"{estate.name if estate else ''} {public_place(t)}".strip())


async def _offices(session: AsyncSession) -> dict[int, str]:
    return {o.id: o.code for o in await session.scalars(select(StreetOffice))}


async def public_tickets(session: AsyncSession, *, jurisdiction: str | None = None, status: str | None = None,
                         service_codes: list[str] | None = None, start: datetime | None = None,
                         end: datetime | None = None, limit: int = 1000) -> list[PublicTicket]:
    offices = await _offices(session)
    q = select(Ticket)
    if jurisdiction is not None:
        ids = [i for i, code in offices.items() if code == jurisdiction]
        if not ids:
            raise UnknownJurisdiction(jurisdiction)
        q = q.where(Ticket.street_office_id == ids[0])
    final = [s.value for s in FINAL]
    if status == OPEN:
        q = q.where(Ticket.status.notin_(final))
    elif status == CLOSED:
        q = q.where(Ticket.status.in_(final))
    if service_codes:
        q = q.where(Ticket.category.in_(service_codes))
    if start is not None:
        q = q.where(Ticket.created_at >= start)
    if end is not None:
        q = q.where(Ticket.created_at <= end)
    rows = await session.scalars(q.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit))
    return [await _public(session, t, offices) for t in rows]


async def public_ticket(session: AsyncSession, number: str) -> PublicTicket | None:
    t = await session.scalar(select(Ticket).where(Ticket.number == number))
    return None if t is None else await _public(session, t, await _offices(session))
