"""A BillPlan gives exactly bill_for()'s bills: every fen, every word, on generated schedules."""
from __future__ import annotations

import json
import random
from datetime import date
from decimal import Decimal as D

import pytest

from core.fees import FeeRuleError, Period, PremisesFacts, SharedCost, SubsidyMode, bill_for
from core.fees.billing import bill_lines
from core.fees.money import to_fen
from core.fees.plan import BillPlan, fen_text, halves
from tests.core_fees import varied

PERIODS = ["2026-11", "2028-02", "2026-Q4", "2024-Q1", "2026-H1", "2025"]


def reference(area, facts, schedule, period, shared):
    """bill_for()'s totals in fen and its lines as the JSON text stored with the bill."""
    bill = bill_for(area, facts, schedule, period, shared)
    return int(bill.total.scaleb(2)), int(bill.subsidy.scaleb(2)), json.dumps(bill_lines(bill), ensure_ascii=False)


@pytest.mark.parametrize("mode", list(SubsidyMode))
@pytest.mark.parametrize("key", PERIODS)
def test_plan_equals_bill_for_on_generated_estates(key, mode):
    period = Period.parse(key)
    checked = 0
    for seed in range(6):
        rng = random.Random(f"{key}/{mode}/{seed}")
        schedule = varied.schedule(rng, period, mode)
        areas = varied.distinct_areas(rng, 60) + [D("0.01"), D("100"), D("89.375"), D("1234.5")]
        shared = varied.shared_costs(rng, period, sum(areas, D(0)) + 1)
        plan = BillPlan(schedule, period, shared)
        for area in areas:
            facts = varied.facts(rng, period)
            f = plan.figures(area, facts)
            assert (f.total, f.subsidy, f.lines_json) == reference(area, facts, schedule, period, shared), (seed, area, facts)
            checked += 1
    assert checked == 6 * 64


def test_every_kind_of_line_occurs_in_the_generated_bills():
    """The comparison above is only as good as the cases it meets."""
    words = set()
    for key in PERIODS:
        period = Period.parse(key)
        for seed in range(6):
            for mode in SubsidyMode:
                rng = random.Random(f"{key}/{mode}/{seed}")
                schedule = varied.schedule(rng, period, mode)
                areas = varied.distinct_areas(rng, 60)
                shared = varied.shared_costs(rng, period, sum(areas, D(0)))
                plan = BillPlan(schedule, period, shared)
                for area in areas:
                    text = " ".join(ln["explanation"] for ln in plan.figures(area, varied.facts(rng, period)).lines)
                    words |= {w for w in ["起计费，本期不计费", "新服务免费期内", "新服务免费期", "起计费）",
                                          "政府补贴", "政府另向物业服务企业补贴", ") −", "低保户减免", "特困户全免",
                                          "个车位", "元/户·月", "㎡ ÷", "天（", "本期不分摊"] if w in text}
    assert len(words) == 14, words


def test_refusals_are_bill_for_s():
    period = Period.parse("2026-11")
    schedule = varied.schedule(random.Random(1), period, SubsidyMode.PAID_TO_COMPANY)
    plan = BillPlan(schedule, period)
    for area in (D("0"), D("-5.00")):
        with pytest.raises(FeeRuleError, match="面积须大于0"):
            bill_for(area, PremisesFacts(), schedule, period)
        with pytest.raises(FeeRuleError, match="面积须大于0"):
            plan.figures(area, PremisesFacts())
    with pytest.raises(FeeRuleError, match="不存在的分摊项目：XX"):
        BillPlan(schedule, period, [SharedCost("XX", date(2026, 11, 1), date(2026, 11, 30), D("1.00"), D("1"))])


@pytest.mark.parametrize("x,f", [(1, "1/2"), (1, "1/200"), (3, "1/2"), (5, "1/10"), (4, "1/10"), (0, "2/7"),
                                 (2, "1/3"), (1, "2/3"), (10**20 + 1, "1/2"), (8937, "3/10")])
def test_halves_rounds_half_up_as_to_fen(x, f):
    from fractions import Fraction

    n2, d, d2 = halves(Fraction(f))
    assert D((x * n2 + d) // d2).scaleb(-2) == to_fen(x * Fraction(f) / 100)


@pytest.mark.parametrize("fen,text", [(5362, "53.62"), (0, "0.00"), (-150, "-1.50"), (7, "0.07"), (-7, "-0.07"),
                                      (123456789, "1234567.89")])
def test_fen_text_is_decimal_format(fen, text):
    assert fen_text(fen) == text == format(D(fen).scaleb(-2), "f")
