"""Bills: reductions, free months, a mid-period start of charging, parking, shared costs, prices."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from core.fees import (
    BillingMethod,
    FeeItem,
    FeeRuleError,
    FeeSchedule,
    Period,
    PremisesFacts,
    PriceForm,
    PriceFormKind,
    Reduction,
    ReductionCategory,
    SharedCost,
    Subsidy,
    SubsidyMode,
    bill_for,
    government_guided,
)

AREA = D("89.37")
Q1 = Period.parse("2025-Q1")
DIBAO, TEKUN = ReductionCategory.DIBAO, ReductionCategory.TEKUN

WY = FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2020, 1, 1), rate=D("0.30"))
CW = FeeItem("CW", "停车费", BillingMethod.PER_PARKING_SPACE_MONTH, date(2020, 1, 1), rate=D("150.00"))
GG = FeeItem("GG", "公共水电分摊", BillingMethod.SHARED_BY_AREA, date(2020, 1, 1))
REDUCTIONS = (Reduction(DIBAO, D("50"), frozenset({"WY"})), Reduction(TEKUN, D("100"), frozenset({"WY", "GG"})))
SCHEDULE = FeeSchedule((WY, CW, GG), reductions=REDUCTIONS)


def only(bill, code):
    lines = [line for line in bill.lines if line.item_code == code]
    assert len(lines) == 1
    return lines[0]


def test_quarter_with_a_dibao_reduction():
    # 89.37 × 0.30 × 3 = 80.433 → 80.43; 50% of 80.43 = 40.215 → 40.22 (half up); 80.43 − 40.22 = 40.21
    line = only(bill_for(AREA, PremisesFacts(reduction=DIBAO), SCHEDULE, Q1), "WY")
    assert (line.gross, line.reduction_amount, line.net) == (D("80.43"), D("40.22"), D("40.21"))
    assert line.explanation == "89.37㎡ × 0.30元/㎡·月 × 3个月 = 80.43元；低保户减免50% −40.22元；应缴 40.21元"
    assert line.quantity == AREA and line.rate == D("0.30") and line.charged.whole_months == 3


def test_tekun_full_waiver_and_reduction_only_on_chosen_items():
    # 特困 waives 物业服务费 fully; parking is not among its items: 1 × 150.00 × 3 = 450.00
    bill = bill_for(AREA, PremisesFacts(reduction=TEKUN, parking_spaces=1), SCHEDULE, Q1)
    wy, cw = only(bill, "WY"), only(bill, "CW")
    assert (wy.reduction_amount, wy.net) == (D("80.43"), D("0.00"))
    assert "特困户全免 −80.43元" in wy.explanation
    assert (cw.reduction_amount, cw.net) == (D("0.00"), D("450.00"))
    assert bill.total == D("450.00")


def test_dibao_bill_total_with_parking():
    # 40.21 (物业服务费 after 50%) + 2 spaces × 150.00 × 3 = 900.00 → 940.21
    bill = bill_for(AREA, PremisesFacts(reduction=DIBAO, parking_spaces=2), SCHEDULE, Q1)
    assert only(bill, "CW").explanation == "2个车位 × 150.00元/个·月 × 3个月 = 900.00元；应缴 900.00元"
    assert bill.total == D("940.21")
    assert bill.explanation.splitlines()[-1] == "2025年第1季度合计应缴 940.21元"


def test_no_parking_line_without_a_space():
    bill = bill_for(AREA, PremisesFacts(), SCHEDULE, Q1)
    assert [line.item_code for line in bill.lines] == ["WY"]


def test_rounding_is_once_per_line_half_up():
    # 10.05 × 0.50 × 1 = 5.025 → 5.03 (not 5.02)
    s = FeeSchedule((FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2020, 1, 1), rate=D("0.50")),))
    assert bill_for(D("10.05"), PremisesFacts(), s, Period.parse("2025-03")).total == D("5.03")


def test_mid_period_start_of_charging_is_prorated_by_day():
    # Handed over on 15 March 2025: 15–31 March is 17 of 31 days.
    # 89.37 × 0.30 × 17/31 = 26.811 × 17 / 31 = 455.787 / 31 = 14.7028… → 14.70
    line = only(bill_for(AREA, PremisesFacts(charging_starts=date(2025, 3, 15)), SCHEDULE, Q1), "WY")
    assert line.net == D("14.70")
    assert line.charging_from == date(2025, 3, 15)
    assert line.explanation == "89.37㎡ × 0.30元/㎡·月 × 17/31个月 = 14.70元（2025年3月15日起计费）；应缴 14.70元"
    # The next quarter is whole: 80.43
    assert only(bill_for(AREA, PremisesFacts(charging_starts=date(2025, 3, 15)), SCHEDULE,
                         Period.parse("2025-Q2")), "WY").net == D("80.43")


def test_mid_month_start_in_a_leap_february():
    # 10–29 Feb 2024 is 20 of 29 days: 100 × 0.60 × 20/29 = 1200/29 = 41.379… → 41.38
    s = FeeSchedule((FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2024, 2, 10), rate=D("0.60")),))
    assert bill_for(D("100"), PremisesFacts(), s, Period.parse("2024-02")).total == D("41.38")


def test_nothing_is_charged_before_the_start_of_charging():
    line = only(bill_for(AREA, PremisesFacts(charging_starts=date(2025, 5, 1)), SCHEDULE, Q1), "WY")
    assert line.net == D("0.00") and not line.charged
    assert line.explanation == "2025年5月1日起计费，本期不计费；应缴 0.00元"


NEW = FeeItem("LJ", "垃圾分类清运服务", BillingMethod.FIXED_PER_PREMISES_MONTH, date(2025, 1, 1),
              rate=D("10.00"), free_months=2)


def test_free_months_of_a_new_service():
    s = FeeSchedule((NEW,))
    # Q1: January and February free, March charged: 10.00 × 1 = 10.00
    q1 = only(bill_for(AREA, PremisesFacts(), s, Q1), "LJ")
    assert (q1.net, q1.free.whole_months, q1.charged.whole_months) == (D("10.00"), 2, 1)
    assert q1.explanation == "10.00元/户·月 × 1个月 = 10.00元（新服务免费期2个月不计费）；应缴 10.00元"
    # Q2: 10.00 × 3 = 30.00
    assert bill_for(AREA, PremisesFacts(), s, Period.parse("2025-Q2")).total == D("30.00")
    # January alone is inside the free months
    jan = only(bill_for(AREA, PremisesFacts(), s, Period.parse("2025-01")), "LJ")
    assert jan.net == D("0.00")
    assert jan.explanation == "本期在新服务免费期内（免费至2025年2月28日），不计费；应缴 0.00元"


def test_free_months_from_a_mid_month_start():
    # Charging starts 15 Jan 2025 with one free month: free to 14 Feb, charged 15–28 Feb (14/28) and March.
    # 89.37 × 0.30 × (1 + 14/28) = 26.811 × 1.5 = 40.2165 → 40.22
    item = FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2025, 1, 15), rate=D("0.30"), free_months=1)
    line = only(bill_for(AREA, PremisesFacts(), FeeSchedule((item,)), Q1), "WY")
    assert line.net == D("40.22")
    assert line.charged.describe() == "(1 + 14/28)个月"
    assert line.free.describe() == "(17/31 + 14/28)个月"  # 15–31 Jan and 1–14 Feb


def test_shared_public_water_and_power_by_area_share():
    cost = SharedCost("GG", date(2025, 1, 1), date(2025, 3, 31), D("3600.00"), D("12000"), "第1季度公共区域电费")
    # 3600.00 × 89.37 / 12000 = 26.811 → 26.81
    line = only(bill_for(AREA, PremisesFacts(), SCHEDULE, Q1, [cost]), "GG")
    assert line.net == D("26.81")
    assert line.explanation == "第1季度公共区域电费 3600.00元 × 89.37㎡ ÷ 12000㎡ = 26.81元；应缴 26.81元"
    # Handed over 15 March: 17 of the quarter's 90 days: 26.811 × 17/90 = 455.787/90 = 5.0643 → 5.06
    late = only(bill_for(AREA, PremisesFacts(charging_starts=date(2025, 3, 15)), SCHEDULE, Q1, [cost]), "GG")
    assert late.net == D("5.06")
    # 特困 waives GG too; a cost ending in another period is not on this bill
    assert only(bill_for(AREA, PremisesFacts(reduction=TEKUN), SCHEDULE, Q1, [cost]), "GG").net == 0
    assert [x.item_code for x in bill_for(AREA, PremisesFacts(), SCHEDULE, Period.parse("2025-Q2"), [cost]).lines] == ["WY"]


def test_shared_cost_for_an_unknown_item_is_refused():
    with pytest.raises(FeeRuleError):
        bill_for(AREA, PremisesFacts(), SCHEDULE, Q1,
                 [SharedCost("XX", date(2025, 1, 1), date(2025, 3, 31), D("1"), D("1"))])


@pytest.mark.parametrize("rate,ok", [("1.10", True), ("0.90", True), ("1.00", True), ("1.11", False), ("0.89", False)])
def test_government_guided_price_within_its_float_range(rate, ok):
    # base 1.00 ± 10% → [0.90, 1.10]
    def make():
        return FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2025, 1, 1), rate=D(rate),
                       price_form=government_guided("1.00", "10"))
    if ok:
        assert make().rate == D(rate)
    else:
        with pytest.raises(FeeRuleError, match="超出政府指导价范围"):
            make()


def test_price_forms_must_be_complete():
    with pytest.raises(FeeRuleError):
        PriceForm(PriceFormKind.GOVERNMENT_GUIDED, base=D("1.00"))
    with pytest.raises(FeeRuleError):
        PriceForm(PriceFormKind.MARKET_REGULATED, base=D("1.00"), float_percent=D("10"))


def test_schedule_rules():
    with pytest.raises(FeeRuleError, match="不存在"):
        FeeSchedule((WY,), reductions=(Reduction(DIBAO, D("50"), frozenset({"CW"})),))
    with pytest.raises(FeeRuleError, match="重复"):
        FeeSchedule((WY, WY))
    with pytest.raises(FeeRuleError):
        Reduction(DIBAO, D("0"), frozenset({"WY"}))
    with pytest.raises(FeeRuleError):
        Reduction(DIBAO, D("101"), frozenset({"WY"}))
    with pytest.raises(FeeRuleError, match="重叠"):
        FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2025, 1, 1), rate=D("0.30"),
                subsidies=(Subsidy(date(2025, 1, 1), date(2025, 12, 31), D("0.1")),
                           Subsidy(date(2025, 12, 31), date(2026, 12, 31), D("0.05"))))
    with pytest.raises(FeeRuleError):
        FeeItem("CW", "停车费", BillingMethod.PER_PARKING_SPACE_MONTH, date(2025, 1, 1), rate=D("100"),
                subsidies=(Subsidy(date(2025, 1, 1), date(2025, 12, 31), D("0.1")),))
    with pytest.raises(FeeRuleError):
        FeeItem("GG", "公共水电分摊", BillingMethod.SHARED_BY_AREA, date(2025, 1, 1), rate=D("1"))
    high = FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2025, 1, 1), rate=D("0.30"),
                   subsidies=(Subsidy(date(2025, 1, 1), date(2025, 12, 31), D("0.40")),))
    with pytest.raises(FeeRuleError, match="业主应缴不能为负"):
        FeeSchedule((high,), subsidy_mode=SubsidyMode.REDUCES_OWNER_PRICE)
    assert FeeSchedule((high,)).items == (high,)  # paid to the company: any amount is lawful here


def test_area_must_be_positive():
    with pytest.raises(FeeRuleError):
        bill_for(D("0"), PremisesFacts(), SCHEDULE, Q1)
