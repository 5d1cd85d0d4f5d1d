"""Who speaks for an estate's owners: its committee, or the street office where none is formed
(product.md §5: votes are created by the committee, or by the street office before one exists)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import Actor, Place, Role
from storage.models import Community, Estate, StreetOffice


async def estate_places(session: AsyncSession, estate_ids: Iterable[int] | None = None
                        ) -> list[tuple[Estate, Place]]:
    """Estates with where they sit in the hierarchy, in one query."""
    q = (select(Estate, Community.id, StreetOffice.id, StreetOffice.district_id)
         .join(Community, Community.id == Estate.community_id)
         .join(StreetOffice, StreetOffice.id == Community.street_office_id).order_by(Estate.id))
    if estate_ids is not None:
        q = q.where(Estate.id.in_(list(estate_ids)))
    return [(e, Place(e.id, c, so, d)) for e, c, so, d in (await session.execute(q)).tuples()]


async def estates_where(session: AsyncSession, actor: Actor, roles: Sequence[Role]) -> list[tuple[Estate, Role]]:
    """The estates over which the actor holds one of `roles`, with the first such role (in order)."""
    out = []
    for estate, place in await estate_places(session):
        role = next((r for r in roles if actor.holds(r, place)), None)
        if role is not None:
            out.append((estate, role))
    return out


async def estates_governed_by(session: AsyncSession, actor: Actor) -> list[Estate]:
    """Estates for which this actor may announce votes and consultations to owners."""
    return [estate for estate, place in await estate_places(session)
            if actor.holds(Role.COMMITTEE, place)
            or (not estate.committee_formed and actor.holds(Role.STREET_STAFF, place))]
