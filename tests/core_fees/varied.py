"""Generated fee schedules, premises facts and areas that touch every rule of bill_for(): all four
billing methods, declining subsidies changing inside a period (both subsidy modes), free months
ending mid-month, charging that starts mid-period (for an item and for a premises), 低保 percentages
that round at half a fen and 特困 waivers, shared costs inside and outside the period."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from core.fees import (
    BillingMethod,
    FeeItem,
    FeeSchedule,
    Period,
    PremisesFacts,
    Reduction,
    ReductionCategory,
    SharedCost,
    SubsidyMode,
    declining_subsidies,
    government_guided,
)


def day_near(rng: random.Random, period: Period, before: int = 60, after: int = 20) -> date:
    """A day from `before` days ahead of the period to `after` days after its end."""
    span = (period.end - period.start).days + before + after
    return period.start - timedelta(days=before) + timedelta(days=rng.randint(0, span))


def schedule(rng: random.Random, period: Period, mode: SubsidyMode) -> FeeSchedule:
    wy_rate = Decimal(rng.choice(["0.30", "0.60", "1.35", "2.05", "1.237"]))
    tiers = [str(Decimal(rng.randint(1, 25)).scaleb(-2)) for _ in range(3)]
    items = (
        FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2020, 1, 1), rate=wy_rate,
                price_form=government_guided(wy_rate, "10"),
                # tiers change on a day inside or near the period
                subsidies=declining_subsidies(day_near(rng, period, 400, 0), tiers)),
        FeeItem("DT", "电梯运行费", BillingMethod.PER_AREA_MONTH, day_near(rng, period),
                rate=Decimal(rng.choice(["0.15", "0.20", "0.333"]))),
        FeeItem("LJ", "垃圾分类服务费", BillingMethod.PER_AREA_MONTH, day_near(rng, period, 120),
                rate=Decimal("0.10"), free_months=rng.randint(0, 3)),
        FeeItem("GL", "生活垃圾清运费", BillingMethod.FIXED_PER_PREMISES_MONTH, day_near(rng, period),
                rate=Decimal(rng.choice(["8.00", "12.50", "7.77"]))),
        FeeItem("CW", "停车费", BillingMethod.PER_PARKING_SPACE_MONTH, date(2020, 1, 1),
                rate=Decimal(rng.choice(["150", "99.99"])), free_months=rng.randint(0, 1)),
        FeeItem("GG", "公共水电分摊", BillingMethod.SHARED_BY_AREA, day_near(rng, period, 30, 0)),
    )
    reductions = (
        Reduction(ReductionCategory.DIBAO, Decimal(rng.choice(["50", "33.3", "12.5", "25"])),
                  frozenset({"WY", "DT", "GG"})),
        Reduction(ReductionCategory.TEKUN, Decimal("100"), frozenset({"WY", "LJ", "GL", "GG"})),
    )
    return FeeSchedule(items, period_kind=period.kind, reductions=reductions, subsidy_mode=mode)


def shared_costs(rng: random.Random, period: Period, total_area: Decimal) -> list[SharedCost]:
    """Two costs ending in the period (one starting before it) and one ending after it (not billed)."""
    return [
        SharedCost("GG", period.start, period.end, Decimal(rng.randint(100, 9_999_999)).scaleb(-2), total_area,
                   "公共区域电费"),
        SharedCost("GG", period.start - timedelta(days=20), period.end - timedelta(days=3),
                   Decimal(rng.randint(100, 999_999)).scaleb(-2), total_area),
        SharedCost("GG", period.end, period.end + timedelta(days=30), Decimal("500.00"), total_area),
    ]


def facts(rng: random.Random, period: Period) -> PremisesFacts:
    return PremisesFacts(
        parking_spaces=rng.choice([0, 0, 0, 1, 2]),
        reduction=rng.choice([None, None, None, ReductionCategory.DIBAO, ReductionCategory.TEKUN]),
        charging_starts=rng.choice([None, None, day_near(rng, period, 30, 5)]))


def distinct_areas(rng: random.Random, n: int) -> list[Decimal]:
    """n different areas in hundredths of a ㎡, from a 20㎡ studio to a 300㎡ shop."""
    return [Decimal(a).scaleb(-2) for a in rng.sample(range(2_000, 30_000), n)]
