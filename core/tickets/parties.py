"""Who a ticket concerns: its reporter and followers, the staff acting on it and over its estate,
and the offices and departments named to residents. (Split from core.tickets.service.)"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.people import actor_for
from core.roles import Place, Role, ScopeKind
from core.tickets import catalog
from core.tickets.access import acting_role
from core.tickets.routing import HandlerLevel, QueueKind
from core.tickets.state import NotAllowed, TicketActor, ticket_place
from storage.models import Community, Department, PropertyCompany, RoleGrant, StreetOffice
from storage.models.tickets import Ticket, TicketFollower


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
