"""Conversation state kept in the database, so it survives restarts and is shared by workers."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow


class DialogueState(Base):
    """Where one sender is in a multi-step flow (e.g. binding a premises)."""

    __tablename__ = "dialogue_state"
    __table_args__ = (UniqueConstraint("channel", "sender_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    sender_id: Mapped[str] = mapped_column(String(128))
    flow: Mapped[str | None] = mapped_column(String(40))
    step: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped on every handled message; a stale writer is detected instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ChatMessage(Base):
    """The web chat's transcript: what the visitor sent and every reply, in order.

    The page loads history from here and polls it for messages that arrive later (answers to
    tickets, notices), so nothing depends on a connection being open.
    """

    __tablename__ = "chat_message"
    __table_args__ = (Index("ix_chat_message_chat_id_id", "chat_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), default="web")
    chat_id: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))  # in / out
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class UploadedFile(Base):
    """A photo a resident sent through the web chat."""

    __tablename__ = "uploaded_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    chat_id: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AppSetting(Base):
    """Small values the installation generates once (e.g. its secret key)."""

    __tablename__ = "app_setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


