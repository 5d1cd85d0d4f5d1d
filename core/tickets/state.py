"""The ticket as stored, for the services: refusals, drafts and actors, the estate's context, the
lifecycle state kept in the row, the deadline and place as told, and finding a ticket.
(Split from core.tickets.service, which re-exports every name.)"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import Place
from core.tickets import texts
from core.tickets.config import TicketConfig
from core.tickets.lifecycle import ActorRole, TicketState, TicketStatus
from core.tickets.rating import Rating
from core.tickets.routing import EstateOffices, HandlerLevel
from core.tickets.sla import SlaProfile
from storage.models import Community, District, Estate, StreetOffice
from storage.models.tickets import Ticket


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


def store_state(t: Ticket, state: TicketState) -> None:
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


def facts(t: Ticket) -> dict[str, Any]:
    """What an outbox needs to deliver an event without re-reading the ticket."""
    return {"number": t.number, "status": t.status, "level": t.level, "queue": t.queue, "office_id": t.office_id,
            "department": t.department, "category": t.category, "urgent": t.urgent, "supervised": t.supervised,
            "answer_due": t.answer_due.isoformat()}
