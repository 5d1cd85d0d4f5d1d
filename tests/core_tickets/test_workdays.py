"""Statutory working days, checked against the State Council's 2025/2026 schedules."""
from __future__ import annotations

from datetime import date

import pytest

from core.tickets.workdays import add_workdays, is_workday, next_workday, workdays_between

D = date.fromisoformat


@pytest.mark.parametrize("day, working", [
    ("2025-09-26", True),   # Friday
    ("2025-09-27", False),  # Saturday
    ("2025-09-28", True),   # Sunday, adjusted working day before National Day
    ("2025-10-01", False), ("2025-10-06", False), ("2025-10-08", False),  # National Day + Mid-Autumn
    ("2025-10-09", True),
    ("2025-10-11", True),   # Saturday, adjusted working day
    ("2025-10-12", False),  # Sunday
    ("2026-01-01", False), ("2026-01-02", False),  # New Year 2026
    ("2026-01-04", True),   # Sunday, adjusted working day
])
def test_statutory_calendar(day: str, working: bool) -> None:
    assert is_workday(D(day)) is working


def test_the_day_after_the_eve_of_national_day_is_october_9() -> None:
    assert add_workdays(D("2025-09-30"), 1) == D("2025-10-09")


def test_adjusted_sunday_counts() -> None:
    assert add_workdays(D("2025-09-26"), 1) == D("2025-09-28")


def test_adjusted_saturday_counts() -> None:
    assert add_workdays(D("2025-10-10"), 1) == D("2025-10-11")
    assert add_workdays(D("2025-10-10"), 2) == D("2025-10-13")


def test_across_the_year_end() -> None:
    assert add_workdays(D("2025-12-31"), 1) == D("2026-01-04")
    assert add_workdays(D("2025-12-30"), 3) == D("2026-01-05")


def test_unknown_year_falls_back_to_monday_to_friday() -> None:
    # 2040 is beyond the package's published schedules: Monday–Friday, holidays unknown.
    assert is_workday(D("2040-01-02")) is True     # Monday
    assert is_workday(D("2040-01-06")) is True     # Friday
    assert is_workday(D("2040-01-07")) is False    # Saturday
    assert is_workday(D("2040-01-08")) is False    # Sunday
    assert add_workdays(D("2040-01-06"), 1) == D("2040-01-09")


def test_counting_runs_from_a_known_year_into_an_unknown_one() -> None:
    # 2027's schedule is not in the package: New Year's Day (a Friday) counts as a working day there.
    assert add_workdays(D("2026-12-31"), 1) == D("2027-01-01")
    assert add_workdays(D("2026-12-31"), 2) == D("2027-01-04")


def test_next_workday() -> None:
    assert next_workday(D("2025-10-09")) == D("2025-10-09")
    assert next_workday(D("2025-10-01")) == D("2025-10-09")
    assert next_workday(D("2025-10-12")) == D("2025-10-13")


def test_workdays_between() -> None:
    assert workdays_between(D("2025-09-30"), D("2025-10-09")) == 1
    # Sep 28 (adjusted Sunday), 29, 30, Oct 9, 10, 11 (adjusted Saturday), 13.
    assert workdays_between(D("2025-09-26"), D("2025-10-13")) == 7
    assert workdays_between(D("2025-10-09"), D("2025-10-09")) == 0
    assert workdays_between(D("2025-10-13"), D("2025-09-26")) == -workdays_between(D("2025-09-26"), D("2025-10-13"))


def test_zero_days_is_a_mistake() -> None:
    with pytest.raises(ValueError):
        add_workdays(D("2025-10-09"), 0)
