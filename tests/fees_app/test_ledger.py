"""Bills for a whole estate, payments typed or imported all-or-nothing, and statements."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, update

from core.fees.codec import schedule_from_json
from core.fees.ledger import (
    FeeError,
    current_bill,
    estate_statements,
    generate_bills,
    import_payments,
    record_payment,
    save_shared_cost,
    set_facts,
    set_schedule,
    statements,
)
from core.fees.payment_file import PaymentFileError, parse_payments
from core.fees.periods import Period
from storage.db import Database
from storage.models import Premises
from storage.models.fees import FeeBill, FeePayment
from tests.fees_app.conftest import NOW, SCHEDULE, TZ, fee_estate

OCT, NOV = Period.parse("2026-10"), Period.parse("2026-11")


async def totals(db: Database, period: Period) -> dict[int, D]:
    async with db.session() as s:
        return dict((await s.execute(select(FeeBill.premises_id, FeeBill.total)
                                     .where(FeeBill.period_key == period.key))).tuples().all())


async def test_bills_for_the_whole_estate(db: Database) -> None:
    async with db.session() as s:
        estate, ids = await fee_estate(s)
        await set_facts(s, ids["2-1-101"], charging_starts=date(2026, 10, 15))  # handed over mid-October
        report = await generate_bills(s, estate.id, OCT)
    # 2-1-101 from 15 October: 100.00 × 1.20 × 17/31 = 65.806… → 65.81
    expected = {"1-1-101": D("270.00"), "1-1-102": D("53.62"), "1-2-101": D("144.60"), "2-1-101": D("65.81"),
                "2--S-1": D("60.00")}
    assert await totals(db, OCT) == {ids[k]: v for k, v in expected.items()}
    assert (report.created, report.existing, report.total) == (5, 0, sum(expected.values()))
    async with db.session() as s:
        bill = await s.scalar(select(FeeBill).where(FeeBill.premises_id == ids["1-1-102"]))
        assert bill.due_date == date(2026, 10, 31)
        assert [ln["explanation"] for ln in bill.lines] == [
            "89.37㎡ × 1.20元/㎡·月 × 1个月 = 107.24元；低保户减免50% −53.62元；应缴 53.62元"]
        # Generating again keeps the bills as they are.
        again = await generate_bills(s, estate.id, OCT)
        assert (again.created, again.existing) == (0, 5)
        assert await s.scalar(select(func.count(FeeBill.id))) == 5


async def test_shared_power_is_split_by_area(db: Database) -> None:
    async with db.session() as s:
        estate, ids = await fee_estate(s)
        # 919.74 over 459.87㎡ is exactly 2.00 per ㎡.
        await save_shared_cost(s, estate.id, "GG", OCT.start, OCT.end, D("919.74"), "10月公共区域电费")
        await generate_bills(s, estate.id, OCT)
        with pytest.raises(FeeError, match="分摊费用须在生成账单之前录入"):
            await save_shared_cost(s, estate.id, "GG", OCT.start, OCT.end, D("1.00"))
        with pytest.raises(FeeError, match="没有按面积分摊的项目 WY"):
            await save_shared_cost(s, estate.id, "WY", NOV.start, NOV.end, D("1.00"))
    t = await totals(db, OCT)
    assert t[ids["1-2-101"]] == D("144.60") + D("241.00") and t[ids["2--S-1"]] == D("60.00") + D("100.00")


async def test_refusals(db: Database) -> None:
    async with db.session() as s:
        estate, _ = await fee_estate(s)
        with pytest.raises(FeeError, match="按月生成账单"):
            await generate_bills(s, estate.id, Period.parse("2026-Q4"))
        with pytest.raises(FeeError, match="没有生效的收费标准"):
            await generate_bills(s, estate.id, Period.parse("2019-12"))
        await generate_bills(s, estate.id, OCT)
        with pytest.raises(FeeError, match="已用于账单，不能修改"):
            await set_schedule(s, estate.id, schedule_from_json(SCHEDULE), date(2020, 1, 1))


async def test_a_new_schedule_version_applies_from_its_date(db: Database) -> None:
    raised = {**SCHEDULE, "items": [{**SCHEDULE["items"][0], "rate": "1.30"}, *SCHEDULE["items"][1:]]}
    async with db.session() as s:
        estate, ids = await fee_estate(s)
        await set_schedule(s, estate.id, schedule_from_json(raised), date(2026, 11, 1))
        await generate_bills(s, estate.id, OCT)
        await generate_bills(s, estate.id, NOV)
    assert (await totals(db, OCT))[ids["1-2-101"]] == D("144.60")
    assert (await totals(db, NOV))[ids["1-2-101"]] == D("156.65")  # 120.50 × 1.30


async def test_payments_and_statements(db: Database) -> None:
    async with db.session() as s:
        estate, ids = await fee_estate(s)
        for p in (Period.parse("2026-09"), OCT, NOV):
            await generate_bills(s, estate.id, p)
        home = ids["1-1-101"]
        await record_payment(s, estate, home, D("300.00"), datetime(2026, 10, 5, 9, tzinfo=TZ), reference="R1")
        with pytest.raises(FeeError, match="流水号 R1 已经登记过"):
            await record_payment(s, estate, home, D("1.00"), NOW, reference="R1")
        with pytest.raises(FeeError, match="缴费金额须大于0"):
            await record_payment(s, estate, home, D("0"), NOW)
        st = (await statements(s, [home], NOW.astimezone(TZ).date()))[home]
    # 270 a month; 300 paid pays September and 30.00 of October (oldest first).
    assert [(b.period.key, b.paid, b.overdue) for b in st.periods] == [
        ("2026-09", D("270.00"), False), ("2026-10", D("30.00"), True), ("2026-11", D("0.00"), False)]
    assert st.arrears_total == D("240.00") and st.balance == D("510.00")
    async with db.session() as s:
        bill = await current_bill(s, estate.id, home, D("100.00"), date(2026, 11, 10))
        assert bill is not None and not bill.estimated and bill.total == D("270.00")
        # December is not billed yet: computed under the schedule in force, and said to be so.
        dec = await current_bill(s, estate.id, home, D("100.00"), date(2026, 12, 3))
        assert dec is not None and dec.estimated and dec.period.key == "2026-12" and dec.total == D("270.00")


CSV = ("小区,楼栋,单元,房号,所属期间,金额,缴费时间,流水号\n"
       "F1,1,1,101,2026-10,270.00,2026-11-01,P1\n"
       "F1,1,2,101,,144.60,2026-11-02T10:00:00,P2\n")


async def test_import_is_all_or_nothing(db: Database) -> None:
    async with db.session() as s:
        estate, ids = await fee_estate(s)
        await generate_bills(s, estate.id, OCT)
    bad = CSV + "F1,1,1,999,,10.00,2026-11-02,P3\nF2,1,1,101,,10.00,2026-11-02,P4\n"
    with pytest.raises(PaymentFileError) as e:
        async with db.session() as s:
            await import_payments(s, estate, parse_payments(bad.encode(), "pay.csv"), "pay.csv")
    assert [str(p) for p in e.value.problems] == ["pay.csv 第4行 房号: 和园小区没有 1号楼1单元999",
                                                  "pay.csv 第5行 小区: 小区编号 'F2' 与导入的小区 'F1' 不一致"]
    async with db.session() as s:
        assert await s.scalar(select(func.count(FeePayment.id))) == 0
        r = await import_payments(s, estate, parse_payments(CSV.encode(), "pay.csv"), "pay.csv")
    assert (r.count, r.total) == (2, D("414.60"))
    with pytest.raises(PaymentFileError) as e:  # the same export again
        async with db.session() as s:
            await import_payments(s, estate, parse_payments(CSV.encode(), "pay.csv"), "pay.csv")
    assert [str(p) for p in e.value.problems] == ["pay.csv 第2行 流水号: 流水号 P1 已经导入过",
                                                  "pay.csv 第3行 流水号: 流水号 P2 已经导入过"]
    async with db.session() as s:
        sts = await estate_statements(s, estate.id, date(2026, 11, 10))
    assert {pid for pid, st in sts.items() if st.arrears_total > 0} == {ids["1-1-102"], ids["2-1-101"], ids["2--S-1"]}
    assert sts[ids["1-1-101"]].periods[0].paid == D("270.00")
    paid = await _payment(db, "P2")
    assert paid.paid_on == date(2026, 11, 2) and paid.paid_at == datetime(2026, 11, 2, 10, tzinfo=TZ)


async def _payment(db: Database, ref: str) -> FeePayment:
    async with db.session() as s:
        row = await s.scalar(select(FeePayment).where(FeePayment.reference == ref))
        assert row is not None
        return row


async def test_local_day_of_a_late_payment(db: Database) -> None:
    # 23:30 on 31 October in the estate is 15:30 UTC: it counts for 31 October, on time.
    async with db.session() as s:
        estate, ids = await fee_estate(s)
        await generate_bills(s, estate.id, OCT)
        late = datetime(2026, 10, 31, 23, 30, tzinfo=TZ)
        row = await record_payment(s, estate, ids["1-2-101"], D("144.60"), late.astimezone(timezone.utc))
        assert row.paid_on == date(2026, 10, 31)
        st = (await statements(s, [ids["1-2-101"]], date(2026, 11, 1)))[ids["1-2-101"]]
    assert st.arrears_total == 0


async def test_a_premises_without_area_stops_generation_and_is_named(db: Database) -> None:
    # The register refuses such areas; one edited in the database must not give a bill of 0.00.
    async with db.session() as s:
        estate, ids = await fee_estate(s)
        await s.execute(update(Premises).where(Premises.id == ids["2-1-101"]).values(area_registered=D("0.00")))
    with pytest.raises(FeeError, match="^2号楼1单元101等1个专有部分的面积不大于0，请先更正登记簿；2026年10月的账单未生成$"):
        async with db.session() as s:
            await generate_bills(s, estate.id, OCT)
    async with db.session() as s:
        assert await s.scalar(select(func.count(FeeBill.id))) == 0


async def test_two_generations_at_once_bill_each_premises_once(db: Database) -> None:
    # Two staff press "generate" together: the second waits for the first and keeps its bills.
    async with db.session() as s:
        estate, _ = await fee_estate(s)

    async def generate() -> tuple[int, int]:
        async with db.session() as s:
            r = await generate_bills(s, estate.id, OCT)
            return r.created, r.existing

    assert sorted(await asyncio.gather(generate(), generate())) == [(0, 5), (5, 0)]
    async with db.session() as s:
        assert await s.scalar(select(func.count(FeeBill.id))) == 5
