"""Tickets (工单): the complaint, its thread, its history, who follows it; and staff API tokens.

The rules live in core/tickets; these tables only remember. `ticket_event` is append-only: every
transition, with who, when and why, so an outbox (staff groups, webhooks) can read it later.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime, utcnow


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        # Duplicate search: same estate and category, recent first.
        Index("ix_ticket_estate_category_created", "estate_id", "category", "created_at"),
        Index("ix_ticket_street_office_created", "street_office_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)  # what residents and staff quote

    # Where: the estate and the offices it belonged to when the ticket came in (属地).
    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    street_office_id: Mapped[int] = mapped_column(ForeignKey("street_office.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    property_company_id: Mapped[int | None] = mapped_column(ForeignKey("property_company.id"))
    building: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(20))
    room: Mapped[str | None] = mapped_column(String(20))
    place: Mapped[str | None] = mapped_column(String(100))  # a named place or a location's label
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    # Who: erased (NULL) after the retention period; the ticket and its statistics stay.
    reporter_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"),
                                                          index=True)
    channel: Mapped[str | None] = mapped_column(String(20))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    about_property: Mapped[bool] = mapped_column(Boolean, default=False)  # flagged beyond the category

    # What.
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency_reason: Mapped[str | None] = mapped_column(String(20))

    # Lifecycle state (core.tickets.lifecycle.TicketState).
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    extended_from: Mapped[str | None] = mapped_column(String(20))
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    reopens: Mapped[int] = mapped_column(Integer, default=0)
    supervised: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[str | None] = mapped_column(String(30))

    # Route (core.tickets.routing.Route).
    level: Mapped[str] = mapped_column(String(20))
    matter_level: Mapped[str] = mapped_column(String(20))
    queue: Mapped[str] = mapped_column(String(20))
    office_id: Mapped[int] = mapped_column(Integer)
    department: Mapped[str | None] = mapped_column(String(32))  # taxonomy department code

    # Deadlines (core.tickets.sla).
    sla_profile: Mapped[str] = mapped_column(String(20))
    response_due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer_due: Mapped[datetime] = mapped_column(UtcDateTime)
    first_due: Mapped[datetime] = mapped_column(UtcDateTime)  # the deadline 响应率 is measured against

    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # first accept or referral
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the latest answer
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # closed, merged or referred
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    referred_to: Mapped[str | None] = mapped_column(String(200))
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TicketEvent(Base):
    """One thing that happened to a ticket: a lifecycle transition, its opening, a new follower."""

    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_ticket_id_id", "ticket_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))  # core Action values, plus "create" and "follow"
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    target: Mapped[str | None] = mapped_column(String(200))
    rating: Mapped[str | None] = mapped_column(String(30))
    # Facts an outbox needs without re-reading the ticket: queue, office, department, deadline.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TicketMessage(Base):
    """The thread: the report, details and photos the resident adds, the answers staff give."""

    __tablename__ = "ticket_message"
    __table_args__ = (Index("ix_ticket_message_ticket_id_id", "ticket_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # report / details / answer
    author_role: Mapped[str] = mapped_column(String(20))  # resident / property_staff / ... / system
    author_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)
    photo_ref: Mapped[str | None] = mapped_column(String(200))  # a channel file id or web upload ref
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TicketFollower(Base):
    """A resident who said 我也遇到了: told of progress like the reporter, but does not rate."""

    __tablename__ = "ticket_follower"
    __table_args__ = (UniqueConstraint("ticket_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class StaffToken(Base):
    """A bearer token for the staff API, one per person and purpose; only its SHA-256 is kept."""

    __tablename__ = "staff_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
