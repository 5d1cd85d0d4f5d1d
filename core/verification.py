"""Owner verification by one-time codes.

Property staff or the committee print a code per premises and hand it to the household. A code
is single-use, expires, and is stored only as a keyed hash (HMAC-SHA256 under the installation's
secret), so a leaked database does not reveal usable codes. Failed attempts are throttled per
person: 32^8 possible codes and a handful of tries per window make guessing hopeless.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Premises, Residency, VerificationCode
from storage.models.people import RoleInvite
from storage.repositories.people import PeopleRepository

# No 0/O, 1/I/L: codes are read off paper and typed on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(text: str) -> str | None:
    """The canonical form of what a resident typed, or None if it cannot be a code."""
    t = unicodedata.normalize("NFKC", text).upper()
    t = "".join(ch for ch in t if ch not in " -_—－\t")
    # Common misreadings of the excluded characters.
    t = t.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(t) != CODE_LENGTH or any(ch not in ALPHABET for ch in t):
        return None
    return t


def code_hash(secret: str, code: str) -> str:
    canonical = normalize_code(code)
    if canonical is None:
        raise ValueError("not a verification code")
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class VerificationPolicy:
    valid_days: int = 30
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


class RedeemOutcome(StrEnum):
    VERIFIED = "verified"
    ROLE_GRANTED = "role_granted"  # a staff or committee invite
    ALREADY = "already"  # this person already owns that premises
    MALFORMED = "malformed"
    UNKNOWN = "unknown"  # no such code, or already used, or expired: one answer, no oracle
    THROTTLED = "throttled"


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    premises_id: int | None = None
    retry_after: timedelta | None = None
    role: str | None = None
    scope_kind: str | None = None
    scope_id: int | None = None


async def issue_codes(session: AsyncSession, secret: str, premises: list[Premises], now: datetime,
                      policy: VerificationPolicy) -> list[tuple[Premises, str]]:
    """A fresh code for each premises; the plain codes are returned once, for printing."""
    out: list[tuple[Premises, str]] = []
    expires = now + timedelta(days=policy.valid_days)
    for p in premises:
        code = new_code()
        session.add(VerificationCode(premises_id=p.id, code_hash=code_hash(secret, code),
                                     issued_at=now, expires_at=expires))
        out.append((p, code))
    await session.flush()
    return out


async def redeem(session: AsyncSession, secret: str, person_id: int, text: str, now: datetime,
                 policy: VerificationPolicy) -> RedeemResult:
    people = PeopleRepository(session)
    failures = await people.failed_attempts_since(person_id, now - policy.window)
    if failures >= policy.max_failures:
        return RedeemResult(RedeemOutcome.THROTTLED, retry_after=policy.window)
    canonical = normalize_code(text)
    if canonical is None:
        await people.record_attempt(person_id, now, success=False)
        return RedeemResult(RedeemOutcome.MALFORMED)
    h = code_hash(secret, canonical)
    code = await session.scalar(select(VerificationCode).where(VerificationCode.code_hash == h))
    if code is None:
        return await _redeem_invite(session, people, person_id, h, now)
    if code.used_at is not None or code.expires_at <= now:
        await people.record_attempt(person_id, now, success=False)
        return RedeemResult(RedeemOutcome.UNKNOWN)
    if await people.residency(person_id, code.premises_id) is not None:
        return RedeemResult(RedeemOutcome.ALREADY, premises_id=code.premises_id)
    # Claim the code atomically: of two people entering it at once, only one wins.
    claimed = await session.execute(
        update(VerificationCode)
        .where(VerificationCode.id == code.id, VerificationCode.used_at.is_(None))
        .values(used_at=now, used_by_person_id=person_id))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await people.record_attempt(person_id, now, success=False)
        return RedeemResult(RedeemOutcome.UNKNOWN)
    session.add(Residency(person_id=person_id, premises_id=code.premises_id, verified_at=now,
                          verified_by="code"))
    await people.record_attempt(person_id, now, success=True)
    await session.flush()
    return RedeemResult(RedeemOutcome.VERIFIED, premises_id=code.premises_id)


async def approve_by_staff(session: AsyncSession, person_id: int, premises_id: int,
                           now: datetime) -> Residency:
    """Staff approval: the other way to become a verified owner."""
    people = PeopleRepository(session)
    existing = await people.residency(person_id, premises_id)
    if existing is not None:
        return existing
    r = Residency(person_id=person_id, premises_id=premises_id, verified_at=now, verified_by="staff")
    session.add(r)
    await session.flush()
    return r


async def issue_role_invite(session: AsyncSession, secret: str, role: str, scope_kind: str,
                            scope_id: int | None, display_name: str, now: datetime,
                            policy: VerificationPolicy) -> str:
    """A one-time code that makes whoever enters it a committee member, property staff, etc."""
    code = new_code()
    session.add(RoleInvite(code_hash=code_hash(secret, code), role=role, scope_kind=scope_kind,
                           scope_id=scope_id, display_name=display_name, issued_at=now,
                           expires_at=now + timedelta(days=policy.valid_days)))
    await session.flush()
    return code


async def _redeem_invite(session: AsyncSession, people: PeopleRepository, person_id: int, h: str,
                         now: datetime) -> RedeemResult:
    claimed = await session.execute(
        update(RoleInvite)
        .where(RoleInvite.code_hash == h, RoleInvite.used_at.is_(None), RoleInvite.expires_at > now)
        .values(used_at=now, used_by_person_id=person_id))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await people.record_attempt(person_id, now, success=False)
        return RedeemResult(RedeemOutcome.UNKNOWN)
    invite = await session.scalar(select(RoleInvite).where(RoleInvite.code_hash == h))
    assert invite is not None
    await people.grant(person_id, invite.role, invite.scope_kind, invite.scope_id)
    person = await people.person(person_id)
    if person is not None and invite.display_name:
        person.display_name = invite.display_name
    await people.record_attempt(person_id, now, success=True)
    return RedeemResult(RedeemOutcome.ROLE_GRANTED, role=invite.role, scope_kind=invite.scope_kind,
                        scope_id=invite.scope_id)
