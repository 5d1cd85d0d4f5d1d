"""Notices (公告) published by the committee, property staff or the street office to an estate, one
building or one unit of it; kept for later reading ("最近公告")."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow


class Notice(Base):
    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_estate_published", "estate_id", "published_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="notice")  # notice / fee_disclosure
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    # Audience: the whole estate (both null), one building, or one unit of a building.
    building: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(20))
    publisher_role: Mapped[str] = mapped_column(String(30))  # committee / property_staff / street_staff
    published_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ref_id: Mapped[int | None] = mapped_column(Integer)  # e.g. the fee disclosure it announces
    recipients: Mapped[int] = mapped_column(Integer, default=0)
