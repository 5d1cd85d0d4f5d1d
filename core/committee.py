"""What the committee desk lists: the estates an actor speaks for (core.governance) with their votes
and consultations. Jurisdiction lives here so every page asks the same question."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.governance import estates_governed_by
from core.roles import Actor
from storage.models import Building, Estate
from storage.models.votes import Consultation, ConsultationResponse, Vote


async def governed_estate(session: AsyncSession, actor: Actor, estate_id: int) -> Estate | None:
    """The estate if this actor may announce votes, consultations and notices to its owners."""
    return next((e for e in await estates_governed_by(session, actor) if e.id == estate_id), None)


async def votes_of(session: AsyncSession, estate_ids: Sequence[int]) -> list[Vote]:
    if not estate_ids:
        return []
    return list(await session.scalars(select(Vote).where(Vote.estate_id.in_(list(estate_ids)))
                                      .order_by(Vote.announced_at.desc(), Vote.id.desc())))


async def consultations_of(session: AsyncSession, estate_ids: Sequence[int]) -> list[tuple[Consultation, int]]:
    """Consultations, newest first, with how many people answered each."""
    if not estate_ids:
        return []
    answered = (select(ConsultationResponse.consultation_id, func.count(ConsultationResponse.id).label("n"))
                .group_by(ConsultationResponse.consultation_id).subquery())
    rows = await session.execute(
        select(Consultation, func.coalesce(answered.c.n, 0))
        .outerjoin(answered, answered.c.consultation_id == Consultation.id)
        .where(Consultation.estate_id.in_(list(estate_ids)))
        .order_by(Consultation.created_at.desc(), Consultation.id.desc()))
    return [(c, int(n)) for c, n in rows.tuples()]


async def buildings_of(session: AsyncSession, estate_id: int) -> list[str]:
    """Building numbers of the estate, numbered ones first in numeric order (for audience choices)."""
    numbers = list(await session.scalars(select(Building.number).where(Building.estate_id == estate_id)))
    return sorted(numbers, key=lambda n: (0, int(n), "") if n.isdigit() else (1, 0, n))
