"""Fees: schedule versions per estate, per-premises facts, bills, payments, shared costs, reminders
sent, and fee disclosures. Money is stored as Hundredths (exact fen on both databases)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow
from storage.types import Hundredths


class FeeScheduleVersion(Base):
    """An estate's fee schedule (core.fees.codec JSON), in force from `effective_from` until the next."""

    __tablename__ = "fee_schedule"
    __table_args__ = (UniqueConstraint("estate_id", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class PremisesFeeFacts(Base):
    """What a bill needs beyond the register: parking spaces, an approved reduction, a later start."""

    __tablename__ = "fee_premises_facts"
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"), primary_key=True)
    parking_spaces: Mapped[int] = mapped_column(Integer, default=0)
    reduction: Mapped[str | None] = mapped_column(String(10))  # dibao / tekun, approved
    # Flagged by staff or the community as possibly eligible: reminders tell them how to apply.
    reduction_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    charging_starts: Mapped[date | None] = mapped_column(Date)  # e.g. the handover date


class FeeBill(Base):
    """One premises' bill for one period; `lines` keeps every line's arithmetic as shown to the owner."""

    __tablename__ = "fee_bill"
    __table_args__ = (UniqueConstraint("premises_id", "period_key"),
                      Index("ix_fee_bill_estate_period", "estate_id", "period_key"))
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"))
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(10))  # core.fees.Period.key: 2026-11, 2026-Q4 ...
    total: Mapped[Decimal] = mapped_column(Hundredths)
    subsidy: Mapped[Decimal] = mapped_column(Hundredths)
    due_date: Mapped[date] = mapped_column(Date)
    area: Mapped[Decimal] = mapped_column(Hundredths)
    # [{"code", "name", "net", "explanation"}]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("fee_schedule.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FeePayment(Base):
    """Money received (the bot takes none itself): typed by staff or imported from the payment system."""

    __tablename__ = "fee_payment"
    __table_args__ = (UniqueConstraint("estate_id", "reference"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"))
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Hundredths)
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)
    paid_on: Mapped[date] = mapped_column(Date)  # the estate's local date of paid_at
    period_key: Mapped[str | None] = mapped_column(String(10))  # allocated by staff, else oldest first
    # The payment system's transaction number: the same payment is never imported twice.
    reference: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10), default="manual")  # manual / import
    recorded_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FeeSharedCost(Base):
    """A shared public water or power amount to split by area in the period in which it ends."""

    __tablename__ = "fee_shared_cost"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(String(32))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Hundredths)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FeeReminder(Base):
    """Every arrears reminder sent: the weekly and per-period limits are counted from these."""

    __tablename__ = "fee_reminder"
    __table_args__ = (Index("ix_fee_reminder_premises_sent", "premises_id", "sent_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"))
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(10))  # the billing period in which it was sent
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    amount: Mapped[Decimal] = mapped_column(Hundredths)
    periods: Mapped[list[str]] = mapped_column(JSON)  # the period keys in arrears
    recipients: Mapped[int] = mapped_column(Integer)  # verified owners it was queued for
    text: Mapped[str] = mapped_column(Text)


class FeeDisclosureRecord(Base):
    """收费公示: one draft per estate being filled in, and every published version, frozen."""

    __tablename__ = "fee_disclosure"
    __table_args__ = (Index("ix_fee_disclosure_estate_status", "estate_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft / published
    # core.fees.codec disclosure JSON: typed fields in a draft; everything once published.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("fee_schedule.id"))
    text: Mapped[str | None] = mapped_column(Text)  # render_text at publication
