"""Who speaks for an estate's owners: its committee, or the street office where none is formed
(product.md §5: votes are created by the committee, or by the street office before one exists)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import Actor, Place, Role
from storage.models import Community, Estate, StreetOffice


async def place_of(session: AsyncSession, estate: Estate) -> Place:
    community = await session.get(Community, estate.community_id)
    assert community is not None
    office = await session.get(StreetOffice, community.street_office_id)
    assert office is not None
    return Place(estate.id, community.id, office.id, office.district_id)


async def estates_governed_by(session: AsyncSession, actor: Actor) -> list[Estate]:
    """Estates for which this actor may announce votes, consultations and notices to owners."""
    out = []
    for estate in await session.scalars(select(Estate).order_by(Estate.id)):
        place = await place_of(session, estate)
        if actor.holds(Role.COMMITTEE, place) or (
                not estate.committee_formed and actor.holds(Role.STREET_STAFF, place)):
            out.append(estate)
    return out
