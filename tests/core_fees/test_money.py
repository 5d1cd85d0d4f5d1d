"""Money: exact Decimal 元, one rounding rule (ROUND_HALF_UP to fen), and formats."""
from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest

from core.fees.money import MoneyError, format_cny, format_rate, format_yuan, is_fen, to_fen, yuan


def test_rounds_half_up_not_to_even():
    # 5.025 is exactly half a fen: half-up gives 5.03 (banker's rounding would give 5.02).
    assert to_fen(D("5.025")) == D("5.03")
    assert to_fen(D("5.0249999")) == D("5.02")
    # 13.4055 → 13.41 (the Baotou 2nd-year subsidy on 89.37㎡ for a quarter).
    assert to_fen(D("13.4055")) == D("13.41")


def test_negative_amounts_round_away_from_zero():
    assert to_fen(D("-5.025")) == D("-5.03")


def test_rounds_exact_fractions():
    # 455.787 / 31 = 14.70280… → 14.70; 2/3 元 = 0.666… → 0.67
    assert to_fen(Fraction(D("455.787")) / 31) == D("14.70")
    assert to_fen(Fraction(2, 3)) == D("0.67")
    assert str(to_fen(0)) == "0.00"


def test_refuses_floats():
    with pytest.raises(MoneyError):
        yuan(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        to_fen(0.1)  # type: ignore[arg-type]
    assert yuan("0.10") == D("0.10")


def test_is_fen():
    assert is_fen(D("1.20")) and is_fen(D("3"))
    assert not is_fen(D("1.205"))


def test_formats():
    assert format_cny(D("1234.56")) == "¥1,234.56"
    assert format_cny(D("1234567.5")) == "¥1,234,567.50"
    assert format_cny(D("-12")) == "-¥12.00"
    assert format_yuan(D("1234.56")) == "1234.56元"
    assert format_yuan(D("40.2")) == "40.20元"
    assert format_rate(D("0.3")) == "0.30"
    assert format_rate(D("1.235")) == "1.235"
