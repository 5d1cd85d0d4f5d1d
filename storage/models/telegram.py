"""Telegram updates already handled, so a re-sent update (webhook retry, polling after a crash)
changes nothing twice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow


class TelegramUpdate(Base):
    """One processed update of one bot.

    Written in the same transaction as the update's effects. Telegram's update ids are not a
    high-water mark (they restart, and re-sent ones arrive out of order), hence a set of ids.
    """

    __tablename__ = "telegram_update"
    __table_args__ = (Index("ix_telegram_update_processed_at", "processed_at"),)
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
