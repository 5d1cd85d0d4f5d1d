"""Duplicate reports: same estate, category and building within 72 hours."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.tickets.duplicates import Report, TicketSummary, duplicates, is_duplicate
from core.tickets.lifecycle import TicketStatus

CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 10, 9, 12, 0, tzinfo=CST)
REPORT = Report(estate_id=1, category="elevator", building="6", at=NOW)


def t(number: str = "GD-1", *, estate: int = 1, category: str = "elevator", building: str | None = "6",
      hours_ago: float = 1, status: TicketStatus = TicketStatus.ACCEPTED) -> TicketSummary:
    return TicketSummary(number, estate, category, building, NOW - timedelta(hours=hours_ago), status)


def test_same_problem_within_72_hours_is_offered() -> None:
    assert is_duplicate(REPORT, t())


@pytest.mark.parametrize("other", [
    t(estate=2), t(category="water_leak"), t(building="7"), t(building=None),
    t(hours_ago=72.01), t(status=TicketStatus.CLOSED), t(status=TicketStatus.MERGED),
    t(status=TicketStatus.REFERRED),
])
def test_not_the_same_problem(other: TicketSummary) -> None:
    assert not is_duplicate(REPORT, other)


def test_exactly_72_hours_is_still_within() -> None:
    assert is_duplicate(REPORT, t(hours_ago=72))


def test_building_spelling_is_tolerated() -> None:
    assert is_duplicate(Report(1, "elevator", " b ", NOW), t(building="B"))


def test_reports_without_building_match_each_other_only() -> None:
    garage = Report(1, "parking", None, NOW)
    assert is_duplicate(garage, t(category="parking", building=None))
    assert is_duplicate(garage, t(category="parking", building=""))
    assert not is_duplicate(garage, t(category="parking", building="3"))


@pytest.mark.parametrize("status", [TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.EXTENDED,
                                    TicketStatus.ANSWERED, TicketStatus.REOPENED])
def test_open_tickets_can_be_followed(status: TicketStatus) -> None:
    assert is_duplicate(REPORT, t(status=status))


def test_candidates_come_oldest_first_and_strangers_are_left_out() -> None:
    found = duplicates(REPORT, [t("GD-3", hours_ago=2), t("GD-9", building="7"), t("GD-1", hours_ago=50),
                                t("GD-2", hours_ago=80)])
    assert [x.number for x in found] == ["GD-1", "GD-3"]


def test_a_shorter_window_can_be_configured() -> None:
    assert duplicates(REPORT, [t(hours_ago=30)], window=timedelta(hours=24)) == []


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        is_duplicate(Report(1, "elevator", "6", datetime(2025, 10, 9, 12)), t())
