from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ChatIdentity,
    Person,
    Residency,
    RoleGrant,
    VerificationAttempt,
)


class PeopleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def identity(self, channel: str, external_id: str) -> ChatIdentity | None:
        return await self.s.scalar(
            select(ChatIdentity).where(ChatIdentity.channel == channel,
                                       ChatIdentity.external_id == external_id))

    async def identity_with_person(self, channel: str,
                                   external_id: str) -> tuple[ChatIdentity, Person] | None:
        """A chat account and its person in one query (every message needs both)."""
        row = (await self.s.execute(
            select(ChatIdentity, Person).join(Person, Person.id == ChatIdentity.person_id)
            .where(ChatIdentity.channel == channel, ChatIdentity.external_id == external_id))).first()
        return None if row is None else (row[0], row[1])

    async def person(self, person_id: int) -> Person | None:
        return await self.s.get(Person, person_id)

    async def add_person(self, display_name: str) -> Person:
        p = Person(display_name=display_name)
        self.s.add(p)
        await self.s.flush()
        return p

    async def add_identity(self, person: Person, channel: str, external_id: str,
                           private_chat_id: str) -> ChatIdentity:
        ident = ChatIdentity(person_id=person.id, channel=channel, external_id=external_id,
                             private_chat_id=private_chat_id)
        self.s.add(ident)
        await self.s.flush()
        return ident

    async def residencies(self, person_id: int) -> list[Residency]:
        rows = await self.s.scalars(
            select(Residency).where(Residency.person_id == person_id).order_by(Residency.id))
        return list(rows)

    async def residency(self, person_id: int, premises_id: int) -> Residency | None:
        return await self.s.scalar(select(Residency).where(
            Residency.person_id == person_id, Residency.premises_id == premises_id))

    async def role_grants(self, person_id: int) -> list[RoleGrant]:
        rows = await self.s.scalars(select(RoleGrant).where(RoleGrant.person_id == person_id))
        return list(rows)

    async def grant(self, person_id: int, role: str, scope_kind: str, scope_id: int | None) -> RoleGrant:
        g = await self.s.scalar(select(RoleGrant).where(
            RoleGrant.person_id == person_id, RoleGrant.role == role,
            RoleGrant.scope_kind == scope_kind, RoleGrant.scope_id == scope_id))
        if g is None:
            g = RoleGrant(person_id=person_id, role=role, scope_kind=scope_kind, scope_id=scope_id)
            self.s.add(g)
            await self.s.flush()
        return g

    async def failed_attempts_since(self, person_id: int, since: datetime) -> int:
        n = await self.s.scalar(select(func.count(VerificationAttempt.id)).where(
            VerificationAttempt.person_id == person_id,
            VerificationAttempt.success.is_(False),
            VerificationAttempt.at >= since))
        return int(n or 0)

    async def record_attempt(self, person_id: int, at: datetime, success: bool) -> None:
        self.s.add(VerificationAttempt(person_id=person_id, at=at, success=success))
