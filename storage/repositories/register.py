from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Building, Community, Estate, Owner, Premises, StreetOffice, Unit


class RegisterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def estate_by_code(self, code: str) -> Estate | None:
        return await self.s.scalar(select(Estate).where(Estate.code == code))

    async def estate(self, estate_id: int) -> Estate | None:
        return await self.s.get(Estate, estate_id)

    async def estates(self) -> list[Estate]:
        return list(await self.s.scalars(select(Estate).order_by(Estate.code)))

    async def street_office_of(self, estate: Estate) -> StreetOffice:
        community = await self.s.get(Community, estate.community_id)
        assert community is not None
        office = await self.s.get(StreetOffice, community.street_office_id)
        assert office is not None
        return office

    async def buildings(self, estate_id: int) -> dict[str, Building]:
        rows = await self.s.scalars(select(Building).where(Building.estate_id == estate_id))
        return {b.number: b for b in rows}

    async def units(self, estate_id: int) -> dict[tuple[str, str], Unit]:
        rows = await self.s.execute(
            select(Building.number, Unit).join(Unit, Unit.building_id == Building.id)
            .where(Building.estate_id == estate_id))
        return {(b, u.number): u for b, u in rows.tuples()}

    async def owners(self, estate_id: int) -> dict[str, Owner]:
        rows = await self.s.scalars(select(Owner).where(Owner.estate_id == estate_id))
        return {o.code: o for o in rows}

    async def premises_of_estate(self, estate_id: int) -> list[Premises]:
        rows = await self.s.scalars(
            select(Premises).where(Premises.estate_id == estate_id)
            .options(selectinload(Premises.building), selectinload(Premises.unit),
                     selectinload(Premises.owner))
            .order_by(Premises.id))
        return list(rows)

    async def premises_with_place(self, premises_ids: Sequence[int]) -> list[Premises]:
        if not premises_ids:
            return []
        rows = await self.s.scalars(
            select(Premises).where(Premises.id.in_(premises_ids))
            .options(selectinload(Premises.building), selectinload(Premises.unit),
                     selectinload(Premises.owner))
            .order_by(Premises.id))
        return list(rows)

    async def find_premises(self, estate_id: int, building: str, unit: str | None,
                            room: str) -> Premises | None:
        q = (select(Premises).join(Building, Premises.building_id == Building.id)
             .where(Premises.estate_id == estate_id, Building.number == building,
                    Premises.unit_key == (unit or ""), Premises.room == room))
        return await self.s.scalar(q)

    async def count_premises(self, estate_id: int) -> int:
        n = await self.s.scalar(select(func.count(Premises.id)).where(Premises.estate_id == estate_id))
        return int(n or 0)
