"""The demo estate has what every later capability needs to show itself."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from core.demo import ESTATE_CODE, seed_demo
from core.roles import Role
from storage.db import Database
from storage.models import Department, Estate, Owner, Premises, RoleGrant


async def test_demo_seeded_once_with_a_realistic_register(db: Database) -> None:
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    async with db.session() as s:
        first = await seed_demo(s, "k", now)
    async with db.session() as s:
        again = await seed_demo(s, "k", now)
    assert first.created and len(first.codes) == 4 and len(first.invites) == 3 and not again.created
    async with db.session() as s:
        estate = await s.scalar(select(Estate).where(Estate.code == ESTATE_CODE))
        assert estate is not None and estate.committee_formed and estate.property_company_id
        premises = list(await s.scalars(select(Premises)))
        assert 180 <= len(premises) <= 220
        owners = {o.id: o for o in await s.scalars(select(Owner))}
        developer = [p for p in premises if owners[p.owner_id].kind == "developer"]
        undelivered = [p for p in premises if not p.delivered]
        assert len(developer) >= 10 and undelivered
        assert any("、" in o.name for o in owners.values())  # co-owners
        per_owner = await s.execute(select(Premises.owner_id, func.count()).group_by(Premises.owner_id))
        assert any(n == 2 for _, n in per_owner.tuples() if owners[_].kind == "person")
        assert {p.use for p in premises} == {"residential", "commercial"}
        roles = {g.role for g in await s.scalars(select(RoleGrant))}
        assert {Role.COMMITTEE, Role.PROPERTY_STAFF, Role.STREET_STAFF, Role.COMMUNITY_STAFF} <= roles
        assert await s.scalar(select(func.count(Department.id))) == 9
