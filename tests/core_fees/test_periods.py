"""Calendar periods and month arithmetic."""
from __future__ import annotations

from datetime import date

import pytest

from core.fees.periods import Period, PeriodKind, add_months, periods_between
from core.fees.span import Span


def test_add_months_clamps_to_month_end():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 15), 1) == date(2025, 4, 15)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)


@pytest.mark.parametrize("kind,day,key,start,end,label", [
    (PeriodKind.MONTH, date(2024, 2, 10), "2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
    (PeriodKind.QUARTER, date(2025, 5, 12), "2025-Q2", date(2025, 4, 1), date(2025, 6, 30), "2025年第2季度"),
    (PeriodKind.HALF_YEAR, date(2025, 7, 1), "2025-H2", date(2025, 7, 1), date(2025, 12, 31), "2025年下半年"),
    (PeriodKind.YEAR, date(2025, 12, 31), "2025", date(2025, 1, 1), date(2025, 12, 31), "2025年度"),
])
def test_periods(kind, day, key, start, end, label):
    p = Period.containing(kind, day)
    assert (p.key, p.start, p.end, p.label()) == (key, start, end, label)
    assert Period.parse(key) == p


def test_period_must_start_on_its_boundary():
    with pytest.raises(ValueError):
        Period(date(2025, 2, 1), PeriodKind.QUARTER)


def test_periods_between_and_next():
    ps = periods_between(PeriodKind.QUARTER, date(2024, 11, 5), date(2025, 4, 1))
    assert [p.key for p in ps] == ["2024-Q4", "2025-Q1", "2025-Q2"]
    assert ps[0].next() == ps[1]
    assert Period.parse("2025-Q1").days == 31 + 28 + 31


def test_span_prorates_by_day():
    s = Span.between(date(2025, 3, 15), date(2025, 6, 30))
    # 15–31 March is 17 of 31 days; April, May, June whole.
    assert s.whole_months == 3
    assert [(p.days, p.days_in_month) for p in s.partial] == [(17, 31)]
    assert s.describe() == "(3 + 17/31)个月"
    assert not Span.between(date(2025, 4, 1), date(2025, 3, 31))
