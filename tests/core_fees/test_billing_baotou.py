"""The Baotou plan (seed 004, 「(七) 加大财政补贴力度」): owners pay 0.3 元/㎡·月 for basic service and
0.6 for quasi service; the district subsidises the company on top, declining over three years
(basic 0.10, 0.05, 0.05; quasi 0.20, 0.10, 0.10 元/㎡·月), paid monthly through the street office
"到物业服务企业". So the owner's bill stays at 0.3/0.6 and the subsidy is shown beside it.

The seed does not date the plan; these tests let its three years run from 1 July 2023.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from core.fees import (
    BillingMethod,
    FeeItem,
    FeeSchedule,
    Period,
    PremisesFacts,
    SubsidyMode,
    bill_for,
    declining_subsidies,
    government_guided,
)

START = date(2023, 7, 1)
AREA = D("89.37")


def tier(rate: str, subsidies: list[str], start: date = START, mode=SubsidyMode.PAID_TO_COMPANY) -> FeeSchedule:
    item = FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, start, rate=D(rate),
                   # the seed names a 指导价 and no float range
                   price_form=government_guided(rate, "0"),
                   subsidies=declining_subsidies(start, subsidies))
    return FeeSchedule((item,), subsidy_mode=mode)


BASIC = ["0.10", "0.05", "0.05"]
QUASI = ["0.20", "0.10", "0.10"]


@pytest.mark.parametrize("rate,subsidies,quarter,owner,subsidy", [
    # basic, year 1: 89.37 × 0.30 × 3 = 80.433 → 80.43; 89.37 × 0.10 × 3 = 26.811 → 26.81
    ("0.30", BASIC, "2023-Q3", "80.43", "26.81"),
    # basic, year 2: 89.37 × 0.05 × 3 = 13.4055 → 13.41 (half up)
    ("0.30", BASIC, "2024-Q3", "80.43", "13.41"),
    # basic, year 3: same 0.05
    ("0.30", BASIC, "2026-Q2", "80.43", "13.41"),
    # after the three years: no subsidy, the owner still pays 0.30
    ("0.30", BASIC, "2026-Q3", "80.43", "0.00"),
    # quasi, year 1: 89.37 × 0.60 × 3 = 160.866 → 160.87; 89.37 × 0.20 × 3 = 53.622 → 53.62
    ("0.60", QUASI, "2023-Q4", "160.87", "53.62"),
    # quasi, year 2 and 3: 89.37 × 0.10 × 3 = 26.811 → 26.81
    ("0.60", QUASI, "2025-Q1", "160.87", "26.81"),
    ("0.60", QUASI, "2025-Q3", "160.87", "26.81"),
    ("0.60", QUASI, "2026-Q3", "160.87", "0.00"),
])
def test_owner_pays_the_rate_and_the_company_also_gets_the_subsidy(rate, subsidies, quarter, owner, subsidy):
    bill = bill_for(AREA, PremisesFacts(), tier(rate, subsidies), Period.parse(quarter))
    line, = bill.lines
    assert line.net == bill.total == D(owner)
    assert line.subsidy == bill.subsidy == D(subsidy)
    assert line.company_receives == D(owner) + D(subsidy)
    assert not line.subsidy_to_owner


def test_explanation_shows_the_subsidy_without_charging_it():
    line, = bill_for(AREA, PremisesFacts(), tier("0.30", BASIC), Period.parse("2023-Q3")).lines
    assert line.explanation == (
        "89.37㎡ × 0.30元/㎡·月 × 3个月 = 80.43元；"
        "政府另向物业服务企业补贴 89.37㎡ × 0.10元/㎡·月 × 3个月 = 26.81元（不由业主缴纳）；"
        "应缴 80.43元")


def test_subsidy_year_changing_inside_a_quarter():
    # Plan from 1 Aug 2023: year 1 runs to 31 Jul 2024. Q3 2024 = July at 0.10 + Aug, Sep at 0.05:
    # 89.37 × (0.10 × 1 + 0.05 × 2) = 89.37 × 0.20 = 17.874 → 17.87
    s = tier("0.30", BASIC, start=date(2023, 8, 1))
    line, = bill_for(AREA, PremisesFacts(), s, Period.parse("2024-Q3")).lines
    assert line.subsidy == D("17.87")
    assert "(0.10元/㎡·月 × 1个月 + 0.05元/㎡·月 × 2个月)" in line.explanation
    # Its first quarter charges Aug and Sep only: 89.37 × 0.30 × 2 = 53.622 → 53.62; subsidy 89.37 × 0.10 × 2 → 17.87
    line, = bill_for(AREA, PremisesFacts(), s, Period.parse("2023-Q3")).lines
    assert (line.net, line.subsidy) == (D("53.62"), D("17.87"))


def test_the_seeds_district_budget_follows_from_the_tiers():
    # The seed: basic area ≈ 860.79万㎡, quasi ≈ 249.31万㎡; "第一年共计需区财政支出 1631 万元，第二年 816 万元，
    # 第三年 816 万元，三年共计 3263 万元". Year 1: 8,607,900 × 0.10 × 12 = 10,329,480 and
    # 2,493,100 × 0.20 × 12 = 5,983,440, together 16,312,920 ≈ 1631万.
    # Year 2: 8,607,900 × 0.05 × 12 = 5,164,740 and 2,493,100 × 0.10 × 12 = 2,991,720: 8,156,460 ≈ 816万.
    start = date(2024, 1, 1)
    basic, quasi = tier("0.30", BASIC, start), tier("0.60", QUASI, start)
    per_year = []
    for year in ("2024", "2025", "2026"):
        p = Period.parse(year)
        per_year.append(bill_for(D("8607900"), PremisesFacts(), basic, p).subsidy
                        + bill_for(D("2493100"), PremisesFacts(), quasi, p).subsidy)
    assert per_year == [D("16312920.00"), D("8156460.00"), D("8156460.00")]
    assert sum(per_year) == D("32625840.00")  # ≈ 3263万
    assert bill_for(D("8607900"), PremisesFacts(), basic, Period.parse("2027")).subsidy == 0


def test_optional_mode_where_the_owner_pays_rate_minus_subsidy():
    # Not Baotou's: 80.43 − 26.81 = 53.62
    s = tier("0.30", BASIC, mode=SubsidyMode.REDUCES_OWNER_PRICE)
    line, = bill_for(AREA, PremisesFacts(), s, Period.parse("2023-Q3")).lines
    assert (line.gross, line.subsidy, line.net) == (D("80.43"), D("26.81"), D("53.62"))
    assert line.company_receives == D("80.43")
    assert "政府补贴 89.37㎡ × 0.10元/㎡·月 × 3个月 −26.81元；应缴 53.62元" in line.explanation
