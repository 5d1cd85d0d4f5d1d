"""generate_bills() stores exactly the bills of the rule function bill_for(), on both databases, for a
generated estate: every area distinct, all billing methods, reductions, free months, charging that
starts mid-period, declining subsidies in both modes, shared costs."""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import delete, select

from core.area import counted_area
from core.fees import Period, SharedCost, SubsidyMode, bill_for
from core.fees.billing import bill_lines
from core.fees.ledger import generate_bills, save_shared_cost, schedule_in_force, set_facts, set_schedule
from core.fees.statement import due_date
from core.register import import_register
from core.register_file import parse_register
from storage.db import Database
from storage.models import Premises
from storage.models.fees import FeeBill
from tests.core_fees import varied
from tests.helpers import make_estate

N = 150
HEADER = "estate,building,unit,room,use,area_registered,area_surveyed,area_contract,owner_id,owner_name,owner_kind,delivered,phone\n"


def register(rng: random.Random) -> bytes:
    rows = []
    for i, area in enumerate(varied.distinct_areas(rng, N)):
        # every fifth premises has only a surveyed area (the counted area falls back to it)
        registered, surveyed = ("", area) if i % 5 == 0 else (area, "")
        rows.append(f"V1,{i // 30 + 1},{i % 2 + 1},{101 + i},residential,{registered},{surveyed},,O{i},业主{i},person,yes,")
    return (HEADER + "\n".join(rows) + "\n").encode()


async def stored_bills(db: Database, period: Period) -> dict[int, FeeBill]:
    async with db.session() as s:
        return {b.premises_id: b for b in await s.scalars(select(FeeBill).where(FeeBill.period_key == period.key))}


@pytest.mark.parametrize("key,mode", [("2026-Q4", SubsidyMode.PAID_TO_COMPANY), ("2027-02", SubsidyMode.REDUCES_OWNER_PRICE)])
async def test_stored_bills_are_bill_for_s(db: Database, key: str, mode: SubsidyMode) -> None:
    period = Period.parse(key)
    rng = random.Random(f"estate/{key}")
    async with db.session() as s:
        estate = await make_estate(s, "V1")
        await import_register(s, "V1", parse_register(register(rng), "r.csv"))
        await set_schedule(s, estate.id, varied.schedule(rng, period, mode), period.start - timedelta(days=400))
        premises = (await s.execute(select(Premises.id, Premises.area_registered, Premises.area_surveyed,
                                           Premises.area_contract).where(Premises.estate_id == estate.id))).all()
        areas = {pid: counted_area(r, su, c) for pid, r, su, c in premises}
        facts = {pid: varied.facts(rng, period) for pid in areas}
        for pid, f in facts.items():
            await set_facts(s, pid, parking_spaces=f.parking_spaces, reduction=f.reduction,
                            charging_starts=f.charging_starts)
        costs = varied.shared_costs(rng, period, sum(areas.values(), D(0)))
        for c in costs:
            await save_shared_cost(s, estate.id, c.item_code, c.start, c.end, c.amount, c.description)
        version = await schedule_in_force(s, estate.id, period.start)
        report = await generate_bills(s, estate.id, period)
    assert len(set(areas.values())) == N and len({f for f in facts.values()}) > 10
    assert version is not None

    def expected(pid: int):  # type: ignore[no-untyped-def]
        bill = bill_for(areas[pid], facts[pid], version.schedule, period,
                        [SharedCost(c.item_code, c.start, c.end, c.amount, sum(areas.values(), D(0)), c.description)
                         for c in costs])
        return (bill.total, bill.subsidy, areas[pid], bill_lines(bill), due_date(period, version.schedule),
                version.id, estate.id)

    def got(b: FeeBill):  # type: ignore[no-untyped-def]
        return b.total, b.subsidy, b.area, b.lines, b.due_date, b.schedule_id, b.estate_id

    bills = await stored_bills(db, period)
    assert set(bills) == set(areas)
    for pid, b in bills.items():
        assert got(b) == expected(pid), pid
    assert (report.created, report.existing) == (N, 0)
    assert report.total == sum((b.total for b in bills.values()), D(0))
    assert any(b.subsidy for b in bills.values()) and any("本期不分摊" in str(b.lines) or "天（" in str(b.lines)
                                                          for b in bills.values())

    # Bills lost for some premises are made again, the same; the others are kept.
    lost = sorted(areas)[::7]
    async with db.session() as s:
        await s.execute(delete(FeeBill).where(FeeBill.premises_id.in_(lost)))
        again = await generate_bills(s, estate.id, period)
    assert (again.created, again.existing) == (len(lost), N - len(lost))
    rebuilt = await stored_bills(db, period)
    assert {pid: got(b) for pid, b in rebuilt.items()} == {pid: got(b) for pid, b in bills.items()}
