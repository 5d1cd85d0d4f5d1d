"""Turnout of an open vote by building, against the 2/3 participation quorum (民法典 art. 278).

The quorum is decided on the whole estate's frozen electorate; the per-building figures show the
committee where to knock on doors. A person with premises in several buildings is one voter of
the estate but appears in each of those buildings' rows with their whole area, so building rows
may add up to more than the estate total (the estate row is the one the law counts).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.voting.rules import QUORUM
from storage.models.votes import Vote, VoteVoter


@dataclass(frozen=True)
class Share:
    """Who took part out of whom, by area and by headcount."""

    area: Decimal
    persons: int
    voted_area: Decimal
    voted_persons: int

    @property
    def area_ratio(self) -> Fraction:
        return Fraction(self.voted_area) / Fraction(self.area) if self.area else Fraction(0)

    @property
    def persons_ratio(self) -> Fraction:
        return Fraction(self.voted_persons, self.persons) if self.persons else Fraction(0)

    @property
    def reaches_quorum(self) -> bool:
        # Both area and headcount, each at least 2/3 ("以上" includes the boundary).
        return self.area_ratio >= QUORUM and self.persons_ratio >= QUORUM


@dataclass(frozen=True)
class BuildingTurnout:
    building: str
    share: Share


@dataclass(frozen=True)
class Turnout:
    buildings: list[BuildingTurnout]
    estate: Share
    quorum: Fraction = QUORUM


def _building_order(number: str) -> tuple[int, int, str]:
    return (0, int(number), "") if number.isdigit() else (1, 0, number)


def by_building(voters: Iterable[tuple[list[str], Decimal, bool]], total_area: Decimal,
                total_persons: int) -> Turnout:
    """Turnout from (buildings, area, has voted) of each frozen voter and the frozen totals."""
    rows: dict[str, list[Decimal | int]] = {}
    voted_area, voted_persons = Decimal(0), 0
    for buildings, area, voted in voters:
        if voted:
            voted_area += area
            voted_persons += 1
        for b in set(buildings) or {"—"}:
            r = rows.setdefault(b, [Decimal(0), 0, Decimal(0), 0])
            r[0] += area
            r[1] += 1
            if voted:
                r[2] += area
                r[3] += 1
    out = [BuildingTurnout(b, Share(Decimal(r[0]), int(r[1]), Decimal(r[2]), int(r[3])))
           for b, r in sorted(rows.items(), key=lambda kv: _building_order(kv[0]))]
    return Turnout(out, Share(total_area, total_persons, voted_area, voted_persons))


async def turnout(session: AsyncSession, vote: Vote) -> Turnout | None:
    """None before the vote opens (there is no electorate yet)."""
    if vote.total_area is None or vote.total_persons is None:
        return None
    rows = await session.execute(select(VoteVoter.buildings, VoteVoter.area, VoteVoter.choice)
                                 .where(VoteVoter.vote_id == vote.id))
    return by_building(((list(b or []), a, c is not None) for b, a, c in rows.tuples()),
                       vote.total_area, vote.total_persons)
