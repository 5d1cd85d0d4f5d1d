"""Deadlines across the 2025 National Day holiday, adjusted working weekends and the year end."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from core.tickets.lifecycle import TicketStatus
from core.tickets.routing import HandlerLevel
from core.tickets.sla import (
    STANDARD,
    URGENT,
    UTILITIES,
    Clock,
    Deadlines,
    ExtensionRefused,
    Milestone,
    SlaConfig,
    SlaProfile,
    answer_profile,
    current_due,
    deadlines,
    due_at,
    extended_due_at,
    is_overdue,
    should_escalate,
)

SH = ZoneInfo("Asia/Shanghai")
S = TicketStatus


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def end_of(day: str) -> datetime:
    return at(f"{day} 23:59:59")


# --- 5 working days ------------------------------------------------------------------------------

@pytest.mark.parametrize("created, due", [
    # An ordinary week: Friday → the next Friday.
    ("2025-10-17 09:00", "2025-10-24"),
    # Monday afternoon: 23, 24, 25, 26, then Sunday 28 (adjusted working day) is the 5th.
    ("2025-09-22 15:00", "2025-09-28"),
    # Eve of the holiday: 30, Oct 9, 10, 11 (adjusted Saturday), 13.
    ("2025-09-29 10:00", "2025-10-13"),
    # Last working day before the holiday, late: Oct 9, 10, 11, 13, 14.
    ("2025-09-30 23:00", "2025-10-14"),
    # Created during the holiday: counting starts on Oct 9 (9, 10, 11, 13, 14).
    ("2025-10-03 11:00", "2025-10-14"),
    # Saturday before the holiday: 28 (adjusted Sunday), 29, 30, 9, 10.
    ("2025-09-27 08:00", "2025-10-10"),
    # Friday before the adjusted Saturday: 11, 13, 14, 15, 16.
    ("2025-10-10 20:00", "2025-10-16"),
    # Across the year end: 30, 31, Jan 4 (adjusted Sunday), 5, 6.
    ("2025-12-29 09:00", "2026-01-06"),
    # New Year's Eve at 23:30: Jan 4, 5, 6, 7, 8.
    ("2025-12-31 23:30", "2026-01-08"),
])
def test_standard_deadline(created: str, due: str) -> None:
    assert due_at(STANDARD, at(created)) == end_of(due)


def test_same_day_any_hour_gives_the_same_deadline() -> None:
    assert due_at(STANDARD, at("2025-09-29 00:00")) == due_at(STANDARD, at("2025-09-29 23:59:59"))


def test_dates_are_taken_in_the_estate_time_zone() -> None:
    # 16:30 UTC on Sunday Sep 28 is 00:30 on Monday Sep 29 in Shanghai: due Oct 13, not Oct 11.
    created = datetime(2025, 9, 28, 16, 30, tzinfo=timezone.utc)
    due = due_at(STANDARD, created)
    assert due == end_of("2025-10-13")
    assert due.tzinfo == SH and due.hour == 23


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        due_at(STANDARD, datetime(2025, 9, 29, 10, 0))


# --- clock hours ---------------------------------------------------------------------------------

def test_urgent_is_two_clock_hours_even_on_a_holiday_night() -> None:
    assert due_at(URGENT, at("2025-10-01 22:30")) == at("2025-10-02 00:30")


def test_utilities_are_24_clock_hours_ignoring_holidays() -> None:
    assert due_at(UTILITIES, at("2025-09-30 18:00")) == at("2025-10-01 18:00")


# --- profiles ------------------------------------------------------------------------------------

def test_profile_choice() -> None:
    assert answer_profile("utilities") is UTILITIES
    assert answer_profile("water_leak") is STANDARD  # plumbing inside the estate, not a utility outage
    assert answer_profile("noise") is STANDARD


def test_urgent_ticket_has_a_response_deadline_then_its_category_profile() -> None:
    created = at("2025-10-01 22:30")
    d = deadlines("water_leak", True, created)
    assert d.response_due == at("2025-10-02 00:30")
    assert d.answer_due == end_of("2025-10-14")  # Oct 9, 10, 11, 13, 14
    assert d.profile is STANDARD


def test_urgent_utility_outage_answers_within_24_hours() -> None:
    d = deadlines("utilities", True, at("2025-10-01 22:30"))
    assert (d.response_due, d.answer_due, d.profile) == (at("2025-10-02 00:30"), at("2025-10-02 22:30"), UTILITIES)


def test_ordinary_ticket_has_no_response_deadline() -> None:
    d = deadlines("noise", False, at("2025-10-17 09:00"))
    assert d.response_due is None and d.answer_due == end_of("2025-10-24")


def test_configured_profiles_replace_the_defaults() -> None:
    config = SlaConfig(standard=SlaProfile("standard", Clock.WORKDAYS, 3, Milestone.ANSWER, 5),
                       utility_categories=frozenset({"utilities", "water_leak"}))
    assert deadlines("noise", False, at("2025-09-29 10:00"), config).answer_due == end_of("2025-10-10")
    assert deadlines("water_leak", False, at("2025-09-29 10:00"), config).answer_due == at("2025-09-30 10:00")


@pytest.mark.parametrize("amount, ext", [(0, 0), (-1, 0), (5, -1)])
def test_profiles_must_make_sense(amount: int, ext: int) -> None:
    with pytest.raises(ValueError):
        SlaProfile("x", Clock.WORKDAYS, amount, Milestone.ANSWER, ext)


# --- extension -----------------------------------------------------------------------------------

def test_extension_by_ten_working_days() -> None:
    # Oct 14, 15, 16, 17, 20, 21, 22, 23, 24, 27.
    assert extended_due_at(end_of("2025-10-13"), 10) == end_of("2025-10-27")


def test_extension_across_the_year_end() -> None:
    # Dec 29, 30, 31, Jan 4 (adjusted Sunday), Jan 5.
    assert extended_due_at(end_of("2025-12-26"), 5) == end_of("2026-01-05")


@pytest.mark.parametrize("days", [0, 11, -3])
def test_extension_outside_one_to_ten_days_is_refused(days: int) -> None:
    with pytest.raises(ExtensionRefused, match="延期须为1至10个工作日"):
        extended_due_at(end_of("2025-10-13"), days)


@pytest.mark.parametrize("profile", [URGENT, UTILITIES])
def test_clock_hour_profiles_cannot_be_extended(profile: SlaProfile) -> None:
    with pytest.raises(ExtensionRefused, match="此类工单时限不能延期"):
        extended_due_at(at("2025-10-02 00:30"), 1, profile)


# --- overdue and escalation ----------------------------------------------------------------------

def test_overdue_is_strictly_after_the_deadline() -> None:
    due = end_of("2025-10-13")
    assert not is_overdue(due, due)
    assert is_overdue(due, due + timedelta(seconds=1))
    assert not is_overdue(due, due.astimezone(timezone.utc))  # the same instant in another zone
    with pytest.raises(ValueError):
        is_overdue(due, datetime(2025, 10, 14))


def test_current_due_follows_the_status() -> None:
    d = Deadlines(answer_due=end_of("2025-10-14"), response_due=at("2025-10-02 00:30"))
    assert current_due(d, S.NEW) == at("2025-10-02 00:30")
    assert current_due(d, S.ACCEPTED) == end_of("2025-10-14")
    assert current_due(d, S.EXTENDED) == end_of("2025-10-14")
    assert current_due(d, S.RETURNED) == end_of("2025-10-14")
    for stopped in (S.ANSWERED, S.RATED, S.CLOSED, S.MERGED, S.REFERRED):
        assert current_due(d, stopped) is None
    assert current_due(Deadlines(answer_due=end_of("2025-10-14")), S.NEW) == end_of("2025-10-14")


DUE = end_of("2025-10-14")
LATE = DUE + timedelta(minutes=1)


def test_overdue_property_ticket_escalates() -> None:
    assert should_escalate(HandlerLevel.PROPERTY, S.IN_PROGRESS, False, DUE, LATE)


@pytest.mark.parametrize("level, status, supervised, due, now", [
    (HandlerLevel.PROPERTY, S.IN_PROGRESS, False, DUE, DUE),          # not yet late
    (HandlerLevel.STREET, S.IN_PROGRESS, False, DUE, LATE),           # street tickets are not escalated
    (HandlerLevel.COMMUNITY, S.IN_PROGRESS, False, DUE, LATE),
    (HandlerLevel.PROPERTY, S.IN_PROGRESS, True, DUE, LATE),          # already supervised
    (HandlerLevel.PROPERTY, S.ANSWERED, False, DUE, LATE),            # answered in the end
    (HandlerLevel.PROPERTY, S.CLOSED, False, DUE, LATE),
    (HandlerLevel.PROPERTY, S.ANSWERED, False, None, LATE),           # clock stopped
])
def test_no_escalation(level: HandlerLevel, status: TicketStatus, supervised: bool, due: datetime | None,
                       now: datetime) -> None:
    assert not should_escalate(level, status, supervised, due, now)


def test_urgent_property_ticket_not_accepted_in_two_hours_escalates() -> None:
    d = deadlines("elevator", True, at("2025-10-01 22:30"))
    now = at("2025-10-02 00:31")
    assert should_escalate(HandlerLevel.PROPERTY, S.NEW, False, current_due(d, S.NEW), now)
    assert not should_escalate(HandlerLevel.PROPERTY, S.ACCEPTED, False, current_due(d, S.ACCEPTED), now)
