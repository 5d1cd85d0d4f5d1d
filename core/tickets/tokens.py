"""Bearer tokens for the staff API, one person each, until the web console brings sessions.

A token is shown once when minted (`linli staff token --person-id N`); only its SHA-256 is stored.
It is 32 random bytes, so an unkeyed hash is enough: there is nothing to guess from it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.people import actor_for
from core.tickets.access import STAFF_ROLES
from storage.models import Person
from storage.models.tickets import StaffToken

PREFIX = "lst_"


class TokenError(ValueError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def mint_token(session: AsyncSession, person_id: int, now: datetime) -> str:
    """A new token for a person holding a staff role (property, community or street)."""
    person = await session.get(Person, person_id)
    if person is None:
        raise TokenError(f"人员 {person_id} 不存在")
    actor = await actor_for(session, person_id)
    if not any(g.role in STAFF_ROLES for g in actor.grants):
        raise TokenError(f"{person.display_name or person_id} 不是物业、社区或街道工作人员")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(StaffToken(person_id=person_id, token_hash=hash_token(token), created_at=now))
    await session.flush()
    return token


async def person_for_token(session: AsyncSession, token: str, now: datetime) -> int | None:
    row = await session.scalar(select(StaffToken).where(StaffToken.token_hash == hash_token(token),
                                                        StaffToken.revoked_at.is_(None)))
    if row is None:
        return None
    row.last_used_at = now
    return row.person_id


async def revoke_tokens(session: AsyncSession, person_id: int, now: datetime) -> int:
    res = await session.execute(update(StaffToken).where(StaffToken.person_id == person_id,
                                                         StaffToken.revoked_at.is_(None))
                                .values(revoked_at=now))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]
