"""Delivery of ticket events to the offices' own channels: a transactional outbox.

`office_channel` is where an office wants its tickets: a WeCom group robot, a signed HTTP webhook
or a Telegram group. `office_delivery` is one ticket event owed to one channel, written in the
same transaction as the event (core.tickets.outbox), sent later by bot.office_delivery.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow


class OfficeChannel(Base):
    __tablename__ = "office_channel"
    __table_args__ = (Index("ix_office_channel_office", "office_kind", "office_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # The office: a ticket queue kind (property_company / community / street_office) and its id.
    office_kind: Mapped[str] = mapped_column(String(20))
    office_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # wecom_robot / webhook / telegram_group
    target: Mapped[str] = mapped_column(String(500))  # robot or webhook URL, or the group's chat id
    secret: Mapped[str | None] = mapped_column(String(200))  # the webhook's HMAC key
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    per_minute: Mapped[int] = mapped_column(Integer, default=20)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OfficeDelivery(Base):
    __tablename__ = "office_delivery"
    __table_args__ = (Index("ix_office_delivery_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("office_channel.id", ondelete="CASCADE"))
    ticket_event_id: Mapped[int] = mapped_column(ForeignKey("ticket_event.id", ondelete="CASCADE"))
    # "linli-<channel id>-<event id>": unique, so an event is owed once per channel; sent along so the
    # receiver can drop a repeat after a crash (at least once + key = effectively once).
    idempotency_key: Mapped[str] = mapped_column(String(60), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending/sending/sent/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
