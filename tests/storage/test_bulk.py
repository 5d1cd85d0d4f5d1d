"""copy_rows: rows in stored form, constants through their column types, errors as SQLAlchemy's."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.bulk import copy_rows
from storage.db import Database
from storage.models import Building
from storage.models.fees import FeeSharedCost
from storage.types import hundredths
from tests.helpers import make_estate

WHEN = datetime(2026, 11, 23, 22, 30, 15, 123456, tzinfo=timezone.utc)


async def test_rows_read_back_as_written(db: Database) -> None:
    async with db.session() as s:
        estate = await make_estate(s, "B1")
        n = await copy_rows(
            s, FeeSharedCost.__table__, ("item_code", "amount", "description"),
            ((f"G{i}", hundredths(D(i).scaleb(-2)), f"第{i}笔 \"电费\"\\n") for i in range(1, 2001)),
            {"estate_id": estate.id, "start": date(2026, 11, 1), "end": date(2026, 11, 30), "created_at": WHEN})
    assert n == 2000
    async with db.session() as s:
        rows = list(await s.scalars(select(FeeSharedCost).order_by(FeeSharedCost.id)))
    assert [(r.item_code, r.amount, r.description) for r in rows] == [
        (f"G{i}", D(i).scaleb(-2), f"第{i}笔 \"电费\"\\n") for i in range(1, 2001)]
    assert {(r.estate_id, r.start, r.end, r.created_at) for r in rows} == {
        (estate.id, date(2026, 11, 1), date(2026, 11, 30), WHEN)}


async def test_a_refused_row_is_an_integrity_error_and_nothing_is_written(db: Database) -> None:
    async with db.session() as s:
        estate = await make_estate(s, "B1")
    with pytest.raises(IntegrityError):
        async with db.session() as s:
            await copy_rows(s, Building.__table__, ("number",), [("1",), ("2",), ("1",)], {"estate_id": estate.id})
    async with db.session() as s:
        assert await s.scalar(select(func.count(Building.id))) == 0
        assert await copy_rows(s, Building.__table__, ("number",), [], {"estate_id": estate.id}) == 0
