"""Duplicate reports (product.md §3 "Duplicates").

The same category in the same estate and building within 72 hours is offered to the resident as
"同一问题已有人反映，加入关注？", so they follow the existing ticket instead of opening a new one.
This only finds the candidates; the resident decides.

Buildings compare as the place extractor writes them ("3", "B"). A report without a building (the
underground garage, the main gate) matches only other reports without one: both concern the estate's
common areas. A report with a building never matches one without. Finished tickets (closed, merged,
referred) cannot be followed and are left out.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.tickets.lifecycle import FINAL, TicketStatus

WINDOW = timedelta(hours=72)


@dataclass(frozen=True)
class Report:
    """The new report, before it becomes a ticket."""

    estate_id: int
    category: str
    building: str | None
    at: datetime


@dataclass(frozen=True)
class TicketSummary:
    number: str
    estate_id: int
    category: str
    building: str | None
    created_at: datetime
    status: TicketStatus


def _building(value: str | None) -> str | None:
    return value.strip().upper() or None if value is not None else None


def is_duplicate(report: Report, ticket: TicketSummary, window: timedelta = WINDOW) -> bool:
    if report.at.tzinfo is None or ticket.created_at.tzinfo is None:
        raise ValueError("times must be aware datetimes")
    return (ticket.estate_id == report.estate_id
            and ticket.category == report.category
            and _building(ticket.building) == _building(report.building)
            and ticket.status not in FINAL
            # No upper bound: a ticket stamped a moment after the report (clocks) is still recent.
            and ticket.created_at >= report.at - window)


def duplicates(report: Report, candidates: Iterable[TicketSummary], window: timedelta = WINDOW
               ) -> list[TicketSummary]:
    """The tickets to offer, oldest first: the first report is the one others follow."""
    found = [t for t in candidates if is_duplicate(report, t, window)]
    return sorted(found, key=lambda t: (t.created_at, t.number))
