"""Messages Linli posted in an office's Telegram staff group, so a button press or a reply to one of
them maps back to its ticket: the ticket card (sent by the office outbox, edited after each event)
and the prompts under it (回复, 退单) that a staff member answers by replying.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow


class StaffGroupMessage(Base):
    __tablename__ = "staff_group_message"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),
                      Index("ix_staff_group_message_channel_ticket", "channel_id", "ticket_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("office_channel.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)  # Telegram chat ids of supergroups exceed 32 bits
    message_id: Mapped[int] = mapped_column(BigInteger)
    # card: the ticket card (a reply to it is an answer); answer / return: a prompt whose reply is
    # the answer, or the reason for returning the ticket.
    kind: Mapped[str] = mapped_column(String(10), default="card")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
