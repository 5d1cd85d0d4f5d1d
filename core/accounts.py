"""Who may sign in to the web console, and how (product.md §1: staff, committee and admin).

Two ways in: a login name with a password (argon2), or a one-time link that Linli sends to the
person's verified chat account. Either opens a session: a random token in an HttpOnly cookie and
a CSRF token for forms, both stored only as hashes or bound to the session row.

Lock-out: after MAX_FAILURES wrong passwords in a row the account refuses even the right password
for LOCK_MINUTES; a success resets the count. Unknown login names cost the same argon2 work as
known ones, so timing does not tell which names exist.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.people import actor_for
from core.roles import Actor, Role
from storage.models import Person
from storage.models.console import ConsoleAccount, ConsoleSession, LoginLink

MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 12
LINK_MINUTES = 10
MIN_PASSWORD = 10
CONSOLE_ROLES = frozenset({Role.COMMITTEE, Role.PROPERTY_STAFF, Role.COMMUNITY_STAFF, Role.STREET_STAFF,
                           Role.ADMIN})

_hasher = PasswordHasher()
# Verified against when the login name is unknown, so both paths take as long.
_DUMMY = _hasher.hash("linli-no-such-account")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is for the admin."""


class LoginOutcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # unknown name or wrong password: one answer for both
    LOCKED = "locked"
    NO_ROLE = "no_role"  # the person holds no console role any more


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    person_id: int | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True)
class OpenedSession:
    token: str  # for the cookie; never stored
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    """A live console session: who it is and the CSRF token its forms must carry."""

    session_id: int
    person_id: int
    display_name: str
    language: str
    csrf: str
    actor: Actor


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- pure rules --------------------------------------------------------------------------------
def after_failure(failures: int, now: datetime) -> tuple[int, datetime | None]:
    """The failure count after one more wrong password, and the lock it triggers (if any)."""
    failures += 1
    if failures >= MAX_FAILURES:
        return 0, now + timedelta(minutes=LOCK_MINUTES)
    return failures, None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def password_problem(password: str, login: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 个字符"
    if login and login.lower() in password.lower():
        return "密码不能包含登录名"
    if len(set(password)) < 4:
        return "密码过于简单"
    return None


def may_use_console(actor: Actor) -> bool:
    return any(g.role in CONSOLE_ROLES for g in actor.grants)


# -- accounts ----------------------------------------------------------------------------------
async def create_account(session: AsyncSession, person_id: int, login: str, password: str,
                         now: datetime) -> ConsoleAccount:
    login = login.strip().lower()
    if not login or len(login) > 64 or not all(c.isalnum() or c in "-_." for c in login):
        raise AccountError("登录名只能包含字母、数字和 - _ .")
    problem = password_problem(password, login)
    if problem:
        raise AccountError(problem)
    if await session.get(Person, person_id) is None:
        raise AccountError(f"没有编号为 {person_id} 的人员")
    if not may_use_console(await actor_for(session, person_id)):
        raise AccountError("此人没有业委会、物业、社区、街道或管理员身份，不能登录后台")
    if await session.scalar(select(ConsoleAccount.id).where(ConsoleAccount.login == login)) is not None:
        raise AccountError(f"登录名 {login} 已被使用")
    existing = await session.scalar(select(ConsoleAccount).where(ConsoleAccount.person_id == person_id))
    if existing is not None:
        raise AccountError(f"此人已有后台账号 {existing.login}")
    account = ConsoleAccount(person_id=person_id, login=login, password_hash=_hasher.hash(password),
                             created_at=now)
    session.add(account)
    await session.flush()
    return account


async def set_password(session: AsyncSession, login: str, password: str, now: datetime) -> None:
    account = await session.scalar(select(ConsoleAccount).where(ConsoleAccount.login == login.strip().lower()))
    if account is None:
        raise AccountError(f"没有登录名为 {login} 的账号")
    problem = password_problem(password, account.login)
    if problem:
        raise AccountError(problem)
    account.password_hash = _hasher.hash(password)
    account.failures, account.locked_until = 0, None
    # A new password ends every open session of the account.
    await session.execute(update(ConsoleSession).where(ConsoleSession.person_id == account.person_id,
                                                       ConsoleSession.revoked_at.is_(None))
                          .values(revoked_at=now))


async def authenticate(session: AsyncSession, login: str, password: str, now: datetime) -> LoginResult:
    """Check a password, counting failures; the caller opens a session on OK."""
    account = await session.scalar(select(ConsoleAccount).where(ConsoleAccount.login == login.strip().lower())
                                   .with_for_update())
    if account is None:
        _verify(_DUMMY, password)
        return LoginResult(LoginOutcome.WRONG)
    if is_locked(account.locked_until, now):
        return LoginResult(LoginOutcome.LOCKED, locked_until=account.locked_until)
    if not _verify(account.password_hash, password):
        account.failures, account.locked_until = after_failure(account.failures, now)
        if account.locked_until is not None:
            return LoginResult(LoginOutcome.LOCKED, locked_until=account.locked_until)
        return LoginResult(LoginOutcome.WRONG)
    account.failures, account.locked_until, account.last_login_at = 0, None, now
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    if not may_use_console(await actor_for(session, account.person_id)):
        return LoginResult(LoginOutcome.NO_ROLE)
    return LoginResult(LoginOutcome.OK, account.person_id)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# -- sessions ----------------------------------------------------------------------------------
async def open_session(session: AsyncSession, person_id: int, now: datetime, via: str) -> OpenedSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + timedelta(hours=SESSION_HOURS)
    session.add(ConsoleSession(token_hash=token_hash(token), person_id=person_id, csrf_token=csrf, via=via,
                               created_at=now, expires_at=expires))
    await session.flush()
    return OpenedSession(token, csrf, expires)


async def signed_in(session: AsyncSession, token: str | None, now: datetime) -> SignedIn | None:
    """The live session behind a cookie, with the person's current roles (grants can change)."""
    if not token:
        return None
    row = await session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        return None
    person = await session.get(Person, row.person_id)
    if person is None:
        return None
    actor = await actor_for(session, person.id)
    if not may_use_console(actor):
        return None
    return SignedIn(row.id, person.id, person.display_name, person.language or "zh", row.csrf_token, actor)


async def close_session(session: AsyncSession, token: str | None, now: datetime) -> None:
    if token:
        await session.execute(update(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token))
                              .values(revoked_at=now))


# -- one-time links ----------------------------------------------------------------------------
async def issue_login_link(session: AsyncSession, person_id: int, now: datetime) -> str:
    """A token for /console/link/<token>, valid LINK_MINUTES, once. Only for console roles."""
    if not may_use_console(await actor_for(session, person_id)):
        raise AccountError("没有后台身份")
    token = secrets.token_urlsafe(32)
    session.add(LoginLink(token_hash=token_hash(token), person_id=person_id, issued_at=now,
                          expires_at=now + timedelta(minutes=LINK_MINUTES)))
    await session.flush()
    return token


async def redeem_login_link(session: AsyncSession, token: str, now: datetime) -> int | None:
    """The person the link signs in, marking it used; None if unknown, used or expired."""
    # One UPDATE decides: two browsers opening the same link cannot both win.
    result = await session.execute(
        update(LoginLink).where(LoginLink.token_hash == token_hash(token), LoginLink.used_at.is_(None),
                                LoginLink.expires_at > now)
        .values(used_at=now).returning(LoginLink.person_id))
    person_id = result.scalar_one_or_none()
    if person_id is None or not may_use_console(await actor_for(session, person_id)):
        return None
    return int(person_id)
