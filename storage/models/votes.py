"""Owners' votes (民法典 art. 278), their frozen electorate, ballots and the hash-chained audit log;
and consultations (征求意见)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow
from storage.types import Hundredths


class Vote(Base):
    __tablename__ = "vote"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    matter_code: Mapped[str] = mapped_column(String(40))  # one of the art. 278 matters
    matter_type: Mapped[str] = mapped_column(String(10))  # ordinary / major
    # announced → open → closed → published (or cancelled before it opens)
    status: Mapped[str] = mapped_column(String(12), default="announced")
    announced_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # The estate's 议事规则 may count non-voters with the majority; off by default.
    deemed_rule: Mapped[bool] = mapped_column(Boolean, default=False)
    frozen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    total_area: Mapped[Decimal | None] = mapped_column(Hundredths)
    total_persons: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Hash of the last ballot event; the published result carries it.
    chain_head: Mapped[str] = mapped_column(String(64), default="0" * 64)
    chain_length: Mapped[int] = mapped_column(Integer, default=0)


class VoteVoter(Base):
    """One person of the electorate, frozen when the vote opens, with their area and current choice."""

    __tablename__ = "vote_voter"
    __table_args__ = (UniqueConstraint("vote_id", "owner_code"),
                      Index("ix_vote_voter_vote_choice", "vote_id", "choice"))
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"))
    owner_code: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    area: Mapped[Decimal] = mapped_column(Hundredths)
    # The choice of the ballot that counts (the latest); null: has not voted.
    choice: Mapped[str | None] = mapped_column(String(8))
    channel: Mapped[str | None] = mapped_column(String(8))
    last_seq: Mapped[int | None] = mapped_column(Integer)
    # Where this voter's premises are, for turnout by building ("3", "5"; several for multi-unit owners).
    buildings: Mapped[list[str]] = mapped_column(JSON, default=list)


class BallotEvent(Base):
    """Append-only, hash-chained log of every ballot cast (changes included).

    hash = sha256(prev_hash + canonical JSON of the payload); the hash is the voter's receipt.
    """

    __tablename__ = "ballot_event"
    __table_args__ = (UniqueConstraint("vote_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    voter_id: Mapped[int] = mapped_column(ForeignKey("vote_voter.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    cast_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class VoteProxy(Base):
    """A registered written proxy (书面委托): this person may vote for that owner in this vote."""

    __tablename__ = "vote_proxy"
    __table_args__ = (UniqueConstraint("vote_id", "voter_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("vote_voter.id", ondelete="CASCADE"))
    proxy_name: Mapped[str] = mapped_column(String(100))
    proxy_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    document_ref: Mapped[str] = mapped_column(String(200))  # the scanned 委托书
    registered_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Consultation(Base):
    __tablename__ = "consultation"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    free_text: Mapped[bool] = mapped_column(Boolean, default=True)
    # {"building": "3" | null, "unit": "2" | null, "owners_only": bool}
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ConsultationResponse(Base):
    __tablename__ = "consultation_response"
    __table_args__ = (UniqueConstraint("consultation_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    choice: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
