"""People who talk to Linli, their chat identities, ownership bindings and roles."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(40))
    # PIPL: a phone number is shown unmasked only where the resident agreed to share it.
    phone_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ChatIdentity(Base):
    """A person's account on one channel (web, telegram, wechat, console)."""

    __tablename__ = "chat_identity"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(128))
    # Where to write to this person privately (Telegram chat id, WeChat openid, web session).
    private_chat_id: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false once they blocked the bot
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Residency(Base):
    """A person verified as owner of one premises."""

    __tablename__ = "residency"
    __table_args__ = (UniqueConstraint("person_id", "premises_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20), default="owner")
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # "code" (a one-time code) or "staff" (approved by property staff or the committee).
    verified_by: Mapped[str] = mapped_column(String(20), default="code")


class RoleGrant(Base):
    """A role held within a jurisdiction: scope is an estate, community, street office or district.

    Owner is not granted here: it follows from a verified residency.
    """

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("person_id", "role", "scope_kind", "scope_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    scope_kind: Mapped[str] = mapped_column(String(20))  # estate / community / street_office / district / all
    scope_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class VerificationCode(Base):
    """A one-time code for one premises. Only a keyed hash is stored, never the code."""

    __tablename__ = "verification_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class VerificationAttempt(Base):
    """Every code entered, kept to throttle guessing."""

    __tablename__ = "verification_attempt"
    __table_args__ = (Index("ix_verification_attempt_person_at", "person_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class RoleInvite(Base):
    """A one-time code that gives a role (committee member, property staff, ...) to the chat
    account that enters it. Stored hashed like binding codes."""

    __tablename__ = "role_invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(30))
    scope_kind: Mapped[str] = mapped_column(String(20))
    scope_id: Mapped[int | None] = mapped_column()
    display_name: Mapped[str] = mapped_column(String(100), default="")
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
