"""What a ticket reveals about the person who reported it (product.md §3 "Privacy"; PIPL arts. 6, 23, 25).

- Phone numbers are masked (138****5678) unless the resident agreed to share them, also inside the
  free text of a report.
- Anonymous reports reveal the reporter to nobody but the reporter.
- A complaint about the property company or its staff (category property_service or fee_dispute,
  or flagged so by the classifier or staff) never reveals the reporter to property staff.
- Otherwise the staff handling the ticket's level see who reported it, and community and street
  staff (who supervise) do too. Property staff see reporters of property-level tickets only.
  Whether the viewer may see the ticket at all (jurisdiction) is checked by the services.
- Personal data of finished tickets is erased after a configurable period (default 180 days);
  statistics survive because they are counted from statuses and events, not from names.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.tickets.lifecycle import FINAL, ActorRole, TicketStatus
from core.tickets.routing import HandlerLevel

ABOUT_PROPERTY_CATEGORIES = frozenset({"property_service", "fee_dispute"})
RETENTION_DAYS = 180
ANONYMOUS_ZH = "匿名"

# A mainland mobile number, alone or with +86/0086, spaces or hyphens between the groups of 3-4-4.
_MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")


def mask_phone(phone: str, shared: bool = False) -> str:
    """138****5678 for a mobile; other numbers keep their first 3 and last 4 digits."""
    if shared:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    if len(digits) < 8:
        return "*" * max(len(digits), 4)  # too short to show any part safely
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_phones_in_text(text: str, shared: bool = False) -> str:
    """Mask mobile numbers a resident typed into a report or a follow-up message."""
    if shared:
        return text
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def about_property_company(category: str, flagged: bool = False) -> bool:
    return flagged or category in ABOUT_PROPERTY_CATEGORIES


def may_see_reporter(viewer: ActorRole, *, level: HandlerLevel, category: str, anonymous: bool,
                     flagged_about_property: bool = False, viewer_is_reporter: bool = False) -> bool:
    """May this viewer learn who reported the ticket (name and contact)?"""
    if viewer_is_reporter:
        return True
    if anonymous:
        return False
    match viewer:
        case ActorRole.PROPERTY_STAFF:
            return level is HandlerLevel.PROPERTY and not about_property_company(category, flagged_about_property)
        case ActorRole.COMMUNITY_STAFF | ActorRole.STREET_STAFF:
            return True
        case _:
            return False  # other residents, and the system has no eyes


@dataclass(frozen=True)
class ReporterView:
    name: str
    phone: str | None


def reporter_view(viewer: ActorRole, *, name: str, phone: str | None, phone_shared: bool, level: HandlerLevel,
                  category: str, anonymous: bool, flagged_about_property: bool = False,
                  viewer_is_reporter: bool = False) -> ReporterView:
    """The reporter as this viewer may see them: "匿名" and no phone when hidden."""
    if not may_see_reporter(viewer, level=level, category=category, anonymous=anonymous,
                            flagged_about_property=flagged_about_property,
                            viewer_is_reporter=viewer_is_reporter):
        return ReporterView(ANONYMOUS_ZH, None)
    if phone is None:
        return ReporterView(name, None)
    return ReporterView(name, mask_phone(phone, shared=phone_shared or viewer_is_reporter))


@dataclass(frozen=True)
class RetentionCandidate:
    number: str
    status: TicketStatus
    finished_at: datetime | None  # when it was closed, merged or referred
    erased: bool = False


def due_for_erasure(tickets: Iterable[RetentionCandidate], now: datetime, days: int = RETENTION_DAYS
                    ) -> list[str]:
    """Numbers of tickets whose personal data is due for erasure: finished more than `days` days ago.

    Merged and referred tickets count as finished like closed ones: they are over for us.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    cutoff = now - timedelta(days=days)
    return [t.number for t in tickets
            if not t.erased and t.status in FINAL and t.finished_at is not None and t.finished_at < cutoff]
