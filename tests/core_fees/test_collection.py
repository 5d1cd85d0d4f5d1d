"""Collection rates per estate, building and period; the group summary names no one."""
from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

from core.fees import CollectionRecord, Period, by_building, by_estate, by_period, group_summary

Q1, Q2 = Period.parse("2025-Q1"), Period.parse("2025-Q2")


def rec(building, room, billed, paid, period=Q1):
    return CollectionRecord("HY01", building, f"{building}{room}", period, D(billed), D(paid))


RECORDS = [
    rec("1号楼", "1单元101", "100.00", "100.00"),
    rec("1号楼", "1单元102", "100.00", "0"),
    rec("2号楼", "2单元203", "50.00", "50.00"),
    rec("2号楼", "2单元204", "50.00", "60.00"),   # 10.00 paid ahead does not count as collected
    rec("1号楼", "1单元101", "100.00", "40.00", Q2),
]


def test_estate_rate_is_exact():
    (q1,) = by_estate([r for r in RECORDS if r.period == Q1])
    # collected 100 + 0 + 50 + 50 = 200 of 300: 2/3 → 66.67%
    assert (q1.billed, q1.collected, q1.rate, q1.percent) == (D("300.00"), D("200.00"), Fraction(2, 3), D("66.67"))
    assert (q1.premises, q1.premises_unpaid) == (4, 1)


def test_building_rates():
    rates = {c.key: c for c in by_building(RECORDS)}
    # 1号楼: (100 + 0 + 40) / 300 = 46.666…% → 46.67%; 2号楼: 100 / 100 = 100.00%
    assert rates[("HY01", "1号楼")].percent == D("46.67")
    assert rates[("HY01", "2号楼")].percent == D("100.00")


def test_period_rates():
    rates = by_period(RECORDS)
    assert [c.key for c in rates] == [("HY01", Q1), ("HY01", Q2)]
    # Q2: 40 / 100 = 40.00%
    assert rates[1].percent == D("40.00") and rates[1].premises_unpaid == 1


def test_nothing_billed_has_no_rate():
    (c,) = by_estate([rec("1号楼", "1单元101", "0", "0")])
    assert c.rate is None and c.percent is None


def test_group_summary_has_buildings_and_totals_but_no_rooms():
    text = group_summary("和园小区", RECORDS, Q1)
    assert "全小区收缴率 66.67%（已收 ¥200.00 / 应收 ¥300.00），共4户，其中1户尚未缴清" in text
    assert "1号楼：50.00%" in text and "2号楼：100.00%" in text
    for r in RECORDS:
        assert r.premises_key not in text
    for room in ("101", "102", "203", "204", "单元"):
        assert room not in text
    assert group_summary("和园小区", RECORDS, Period.parse("2024-Q4")) == "【和园小区】2024年第4季度暂无账单。"
