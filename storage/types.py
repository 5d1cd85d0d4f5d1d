"""Exact decimal columns.

Areas (m²) and money (元) are stored as integers of hundredths: exact on SQLite and PostgreSQL
alike, and SQL can sum them without binary floats creeping in (SQLite has no decimal type).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

HUNDREDTH = Decimal("0.01")


def hundredths(value: Any) -> int:
    """The stored form of a Hundredths value: 89.37 → 8937; more than two places is refused."""
    d = Decimal(value) if not isinstance(value, Decimal) else value
    if d != d.quantize(HUNDREDTH):
        raise ValueError(f"{d} has more than two decimal places")
    return int(d.scaleb(2))


class Hundredths(TypeDecorator[Decimal]):
    """A Decimal with two places, stored as a BIGINT count of hundredths."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        return hundredths(value)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)).scaleb(-2)).quantize(HUNDREDTH)
