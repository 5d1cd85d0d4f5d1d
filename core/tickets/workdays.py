"""Chinese statutory working days: holidays off, adjusted weekends (调休) on.

The schedule is the State Council's, published year by year and shipped by the `chinese_calendar`
package. For a year the package does not know (it raises NotImplementedError), Monday to Friday are
counted as working days: that misses the year's holidays and adjusted weekends, so a deadline
across a holiday comes early (there are more holiday weekdays than adjusted weekends) until the
package is updated: the side that favours residents.
"""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5  # year not published in the package: plain Monday–Friday


def add_workdays(day: date, n: int) -> date:
    """The n-th working day after `day` (`day` itself never counts, working or not)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    current = day
    while n:
        current += timedelta(days=1)
        if is_workday(current):
            n -= 1
    return current


def next_workday(day: date) -> date:
    """`day` if it is a working day, else the first working day after it."""
    return day if is_workday(day) else add_workdays(day, 1)


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]: how many working days `end` lies after `start`."""
    if end < start:
        return -workdays_between(end, start)
    return sum(is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))
