"""Billing periods (month / quarter / half-year / year) on the calendar, and month arithmetic.

Periods are calendar-aligned: quarters start in January, April, July and October; half-years in
January and July. "N months after a date" is the same day N months later, clamped to the end of a
shorter month (31 January + 1 month = 28 or 29 February): the rule used for the month's notice of a
price change and for the end of free months.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[self.value]

    @property
    def label_zh(self) -> str:
        return {"month": "月", "quarter": "季度", "half_year": "半年", "year": "年"}[self.value]


def add_months(d: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def format_date_zh(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True, order=True)
class Period:
    """One billing period: `start` is its first day, `end` its last (inclusive)."""

    start: date
    kind: PeriodKind

    def __post_init__(self) -> None:
        if self.start.day != 1 or (self.start.month - 1) % self.kind.months != 0:
            raise ValueError(f"{self.start} is not the first day of a calendar {self.kind.value}")

    @classmethod
    def containing(cls, kind: PeriodKind, day: date) -> Period:
        month = (day.month - 1) // kind.months * kind.months + 1
        return cls(date(day.year, month, 1), kind)

    @classmethod
    def parse(cls, key: str) -> Period:
        """Inverse of `key`: "2025-03", "2025-Q1", "2025-H2", "2025"."""
        year, _, rest = key.partition("-")
        y = int(year)
        if not rest:
            return cls(date(y, 1, 1), PeriodKind.YEAR)
        if rest[0] in "Qq":
            return cls(date(y, (int(rest[1:]) - 1) * 3 + 1, 1), PeriodKind.QUARTER)
        if rest[0] in "Hh":
            return cls(date(y, (int(rest[1:]) - 1) * 6 + 1, 1), PeriodKind.HALF_YEAR)
        return cls(date(y, int(rest), 1), PeriodKind.MONTH)

    @property
    def end(self) -> date:
        return add_months(self.start, self.kind.months) - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def key(self) -> str:
        """A stable text key for storage."""
        y, m = self.start.year, self.start.month
        match self.kind:
            case PeriodKind.MONTH:
                return f"{y}-{m:02d}"
            case PeriodKind.QUARTER:
                return f"{y}-Q{(m - 1) // 3 + 1}"
            case PeriodKind.HALF_YEAR:
                return f"{y}-H{(m - 1) // 6 + 1}"
            case _:
                return f"{y}"

    def label(self, lang: str = "zh") -> str:
        y, m = self.start.year, self.start.month
        if lang == "en":
            match self.kind:
                case PeriodKind.MONTH:
                    return f"{calendar.month_name[m]} {y}"
                case PeriodKind.QUARTER:
                    return f"Q{(m - 1) // 3 + 1} {y}"
                case PeriodKind.HALF_YEAR:
                    return f"H{(m - 1) // 6 + 1} {y}"
                case _:
                    return f"{y}"
        match self.kind:
            case PeriodKind.MONTH:
                return f"{y}年{m}月"
            case PeriodKind.QUARTER:
                return f"{y}年第{(m - 1) // 3 + 1}季度"
            case PeriodKind.HALF_YEAR:
                return f"{y}年{'上' if m == 1 else '下'}半年"
            case _:
                return f"{y}年度"

    def next(self) -> Period:
        return Period(add_months(self.start, self.kind.months), self.kind)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def periods_between(kind: PeriodKind, first: date, last: date) -> list[Period]:
    """Every period of `kind` that touches [first, last], oldest first."""
    out: list[Period] = []
    p = Period.containing(kind, first)
    while p.start <= last:
        out.append(p)
        p = p.next()
    return out
