"""响应率, 解决率, 满意率 as exact fractions and rounded percentages."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from core.tickets.stats import Rate, TicketCounts, resolution_rate, response_rate, satisfaction_rate

COUNTS = TicketCounts(received=120, responded=111, referred=8, resolved=95, satisfied=60,
                      basically_satisfied=21, unsatisfied=9)


def test_response_rate() -> None:
    r = response_rate(COUNTS)
    assert r.fraction == Fraction(37, 40)
    assert r.percent() == Decimal("92.5")


def test_resolution_rate_leaves_referred_tickets_out() -> None:
    r = resolution_rate(COUNTS)
    assert (r.numerator, r.denominator) == (95, 112)
    assert r.percent() == Decimal("84.8")  # 84.82...


def test_satisfaction_counts_basically_satisfied_as_satisfied() -> None:
    r = satisfaction_rate(COUNTS)
    assert r.fraction == Fraction(9, 10)
    assert r.percent(2) == Decimal("90.00")


@pytest.mark.parametrize("n, d, places, expected", [
    (1, 8, 1, "12.5"), (1, 8, 0, "13"),       # half rounds up
    (2, 3, 1, "66.7"), (1, 3, 2, "33.33"),
    (1, 200, 1, "0.5"), (1, 400, 1, "0.3"),   # 0.25 → 0.3
    (0, 7, 1, "0.0"), (7, 7, 1, "100.0"),
])
def test_percent_rounding(n: int, d: int, places: int, expected: str) -> None:
    got = Rate(n, d).percent(places)
    assert got == Decimal(expected) and str(got) == expected


def test_nothing_to_divide_by_is_no_rate() -> None:
    empty = TicketCounts(0, 0, 0, 0, 0, 0, 0)
    for rate in (response_rate(empty), resolution_rate(empty), satisfaction_rate(empty)):
        assert rate.fraction is None and rate.percent() is None


@pytest.mark.parametrize("kw", [
    {"received": -1}, {"responded": 121}, {"referred": 121}, {"resolved": 113}, {"unsatisfied": -2},
])
def test_impossible_counts_are_refused(kw: dict) -> None:
    base = dict(received=120, responded=111, referred=8, resolved=95, satisfied=60, basically_satisfied=21,
                unsatisfied=9)
    with pytest.raises(ValueError):
        TicketCounts(**{**base, **kw})


def test_a_rate_above_one_is_refused() -> None:
    with pytest.raises(ValueError):
        Rate(5, 4)
