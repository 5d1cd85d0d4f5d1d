"""Messages Linli sends to people on its own initiative (notices, vote announcements, reminders,
answers to tickets), written in the same transaction as the event that causes them and delivered
afterwards, per chat account, by the broadcaster."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow


class Notification(Base):
    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # notice / vote / reminder / ticket / system
    # {"text": ..., "buttons": [[{"label": ..., "payload": ...}]]}
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The same event never notifies the same person twice.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Delivery(Base):
    """One notification to one chat account: the broadcaster's send log."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("notification_id", "identity_id"),
                      Index("ix_delivery_status_next", "status", "next_attempt_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"))
    identity_id: Mapped[int] = mapped_column(ForeignKey("chat_identity.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(128))
    # pending → sending → sent; failed (gave up), blocked (the person blocked the bot),
    # held (the platform takes no message to this chat now: WeChat's 48-hour window)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # pending: None = due at once, else when to retry; sending: when it was claimed (crash review).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)
