"""Money: Decimal 元 with fen (分) precision, and the one rounding rule of every bill.

The rounding rule, stated once: a bill line's amount is computed exactly (area × rate × time, where
time may be a day-prorated fraction of a month) and rounded **once** to fen with ROUND_HALF_UP.
Everything derived from a line (a reduction, a subsidy shown beside it) is computed on that rounded
line amount (or on its own exact product) and rounded once more in the same way. Totals are sums of
rounded amounts and need no rounding. Floats never enter: they cannot hold 0.1 exactly.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

Exact = Decimal | Fraction | int


class MoneyError(ValueError):
    pass


def yuan(value: Decimal | int | str) -> Decimal:
    """An amount in 元 as given, refusing floats (and bools) so that no binary fraction slips in."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"金额必须是精确的十进制数，不能是浮点数：{value!r}")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int | str):
        d = Decimal(value)
    else:
        raise MoneyError(f"无法识别的金额：{value!r}")
    if not d.is_finite():
        raise MoneyError(f"金额必须是有限数：{value!r}")
    return d


def exact(value: Exact) -> Fraction:
    """The exact rational value of a Decimal, Fraction or int (Fraction(Decimal) loses nothing)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"不能用浮点数计算金额：{value!r}")
    return Fraction(value)


def to_fen(value: Exact) -> Decimal:
    """Round an exact amount to fen, half away from zero (ROUND_HALF_UP): 5.025 → 5.03."""
    x = exact(value) * 100
    sign = -1 if x < 0 else 1
    q, r = divmod(abs(x.numerator), x.denominator)
    if 2 * r >= x.denominator:
        q += 1
    return Decimal(sign * q).scaleb(-2).quantize(FEN, rounding=ROUND_HALF_UP)


def from_fen(fen: int) -> Decimal:
    """A whole number of fen as 元: 5362 → Decimal("53.62")."""
    return Decimal(fen).scaleb(-2)


def is_fen(value: Decimal) -> bool:
    """True when the amount has no digits below the fen."""
    return value == value.quantize(FEN, rounding=ROUND_HALF_UP)


def format_cny(value: Decimal) -> str:
    """"¥1,234.56"; negatives as "-¥1,234.56"."""
    q = to_fen(value)
    return f"{'-' if q < 0 else ''}¥{abs(q):,.2f}"


def format_yuan(value: Decimal) -> str:
    """"1234.56元", the form used inside explanations; negatives as "-1234.56元"."""
    return f"{to_fen(value):.2f}元"


def format_rate(value: Decimal) -> str:
    """A unit price shown with at least two decimals and never fewer than it has: 0.3 → "0.30", 1.235 → "1.235"."""
    d = yuan(value)
    if d == d.quantize(FEN):
        return f"{d.quantize(FEN):.2f}"
    return format(d.normalize(), "f")


def format_number(value: Decimal) -> str:
    """A quantity (area, spaces) as given, without an exponent: 89.37 → "89.37", 100 → "100"."""
    return format(value, "f")


def format_percent(value: Decimal) -> str:
    """A percentage without trailing zeros: 50 → "50%", 12.5 → "12.5%"."""
    d = value.normalize()
    return f"{format(d, 'f')}%"
