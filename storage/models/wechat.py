"""What the WeChat Official Account channel must remember between pushes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow


class WechatInbound(Base):
    """One push from WeChat that was handled, written in the same transaction as its effects.

    WeChat re-sends a push it got no answer to within 5 seconds (three tries); the key (MsgId,
    or sender + CreateTime + event for events) makes the second delivery a no-op. The passive
    reply is kept so a re-sent push gets the same answer instead of none.
    """

    __tablename__ = "wechat_inbound"
    __table_args__ = (Index("ix_wechat_inbound_received_at", "received_at"),)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    openid: Mapped[str] = mapped_column(String(128))
    # The passive reply's text; NULL when the answer went out as customer-service messages.
    reply: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WechatMenu(Base):
    """The choices last shown to one user as numbered lines / menu links.

    WeChat has no buttons in a chat: a reply "2" or a tapped link (which comes back as its
    label) is mapped back to the payload through this row.
    """

    __tablename__ = "wechat_menu"
    openid: Mapped[str] = mapped_column(String(128), primary_key=True)
    # [[label, payload], ...] in the order they were numbered (1-based on screen).
    options: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class WechatContact(Base):
    """When a user last wrote to the account (a message or an event such as a menu click).

    WeChat accepts customer-service messages to a user only within 48 hours of that; the
    broadcaster holds notifications outside the window until the user writes again.
    """

    __tablename__ = "wechat_contact"
    openid: Mapped[str] = mapped_column(String(128), primary_key=True)
    last_inbound_at: Mapped[datetime] = mapped_column(UtcDateTime)
