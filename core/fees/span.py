"""Time charged on a bill, in months, prorated by day.

A whole calendar month counts as 1 month whatever its length; a partial month counts as
days charged / days in that month (a start of charging on 15 March charges 17/31 of March).
Product owners expect day-proration for a mid-month start, and it is exact as a Fraction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from core.fees.periods import days_in_month


@dataclass(frozen=True)
class MonthPart:
    year: int
    month: int
    days: int            # days counted in this month
    days_in_month: int

    @property
    def whole(self) -> bool:
        return self.days == self.days_in_month

    @property
    def value(self) -> Fraction:
        return Fraction(self.days, self.days_in_month)


@dataclass(frozen=True)
class Span:
    parts: tuple[MonthPart, ...] = ()

    @classmethod
    def between(cls, first: date, last: date) -> Span:
        """The days from `first` to `last` inclusive, month by month; empty when first > last."""
        parts: list[MonthPart] = []
        day = first
        while day <= last:
            dim = days_in_month(day.year, day.month)
            month_end = date(day.year, day.month, dim)
            stop = min(last, month_end)
            parts.append(MonthPart(day.year, day.month, (stop - day).days + 1, dim))
            day = stop + timedelta(days=1)
        return cls(tuple(parts))

    @property
    def value(self) -> Fraction:
        return sum((p.value for p in self.parts), Fraction(0))

    @property
    def days(self) -> int:
        return sum(p.days for p in self.parts)

    @property
    def whole_months(self) -> int:
        return sum(1 for p in self.parts if p.whole)

    @property
    def partial(self) -> tuple[MonthPart, ...]:
        return tuple(p for p in self.parts if not p.whole)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def describe(self) -> str:
        """"3个月", "17/31个月", "(2 + 17/31)个月": the multiplier exactly as used."""
        terms = ([str(self.whole_months)] if self.whole_months else []) + \
                [f"{p.days}/{p.days_in_month}" for p in self.partial]
        if not terms:
            return "0个月"
        if len(terms) == 1:
            return f"{terms[0]}个月"
        return f"({' + '.join(terms)})个月"
