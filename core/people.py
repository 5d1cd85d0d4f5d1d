"""Who is talking: chat identities resolved to persons, and persons to actors with roles."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import Actor, Grant, Role, ScopeKind
from storage.models import ChatIdentity, Person, Premises, Residency
from storage.repositories.conversation import AppSettingsRepository
from storage.repositories.people import PeopleRepository


@dataclass(frozen=True)
class Speaker:
    person: Person
    identity: ChatIdentity


async def speaker_for(session: AsyncSession, channel: str, external_id: str, private_chat_id: str,
                      display_name: str, language: str | None = None) -> Speaker:
    """The person behind a chat account, created on first contact."""
    repo = PeopleRepository(session)
    found = await repo.identity_with_person(channel, external_id)
    if found is None:
        person = await repo.add_person(display_name)
        if language in ("zh", "en"):
            person.language = language
        ident = await repo.add_identity(person, channel, external_id, private_chat_id)
        return Speaker(person, ident)
    ident, person = found
    if display_name and not person.display_name:
        person.display_name = display_name
    return Speaker(person, ident)


async def actor_for(session: AsyncSession, person_id: int) -> Actor:
    repo = PeopleRepository(session)
    grants = tuple(Grant(Role(g.role), ScopeKind(g.scope_kind), g.scope_id)
                   for g in await repo.role_grants(person_id))
    rows = await session.execute(
        select(Residency.premises_id, Premises.estate_id)
        .join(Premises, Premises.id == Residency.premises_id)
        .where(Residency.person_id == person_id, Residency.relation == "owner"))
    pairs = list(rows.tuples())
    return Actor(person_id=person_id, grants=grants,
                 owned_premises=frozenset(p for p, _ in pairs),
                 owned_estates=frozenset(e for _, e in pairs))


async def installation_secret(session: AsyncSession, configured: str) -> str:
    """The configured secret, or one generated once and kept in the database."""
    if configured:
        return configured
    return await AppSettingsRepository(session).set_if_absent("secret_key", secrets.token_hex(32))
