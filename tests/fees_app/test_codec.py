"""Schedules and disclosures as JSON: exact amounts, the field named in every refusal."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from core.fees import BillingMethod, FeeRuleError, PeriodKind, PremisesFacts, ReductionCategory, bill_for
from core.fees.codec import (
    disclosure_from_json,
    disclosure_to_json,
    read_json,
    schedule_from_json,
    schedule_to_json,
)
from core.fees.periods import Period
from tests.fees_app.conftest import DISCLOSURE, SCHEDULE


def test_schedule_round_trip_keeps_every_rule():
    s = schedule_from_json(SCHEDULE)
    assert s.period_kind is PeriodKind.MONTH
    assert [i.method for i in s.items] == [BillingMethod.PER_AREA_MONTH, BillingMethod.PER_PARKING_SPACE_MONTH,
                                           BillingMethod.SHARED_BY_AREA]
    assert s.items[0].price_form.bounds() == (D("1.080"), D("1.320"))
    assert s.reduction_for(ReductionCategory.DIBAO, "WY").percent == D("50")
    again = schedule_from_json(json.loads(json.dumps(schedule_to_json(s))))
    assert again == s


def test_numbers_are_read_exactly():
    # A JSON 0.3 becomes Decimal("0.3"), not the binary 0.2999999999999999888977697537….
    data = read_json(b'{"period": "month", "items": [{"code": "WY", "name": "x", "method": "per_area_month",'
                     b' "rate": 0.3, "charging_starts": "2020-01-01"}]}')
    s = schedule_from_json(data)
    assert s.items[0].rate == D("0.3")
    assert bill_for(D("89.37"), PremisesFacts(), s, Period.parse("2026-10")).total == D("26.81")


def test_a_float_is_refused_naming_the_field():
    data = json.loads('{"items": [{"code": "WY", "name": "x", "method": "per_area_month", "rate": 0.3,'
                      ' "charging_starts": "2020-01-01"}]}')
    with pytest.raises(FeeRuleError, match=r"items\[0\]\.rate"):
        schedule_from_json(data)


@pytest.mark.parametrize("patch,where", [
    ({"method": "per_floor"}, "items[0].method"),
    ({"charging_starts": "2020/01/01"}, "items[0].charging_starts"),
    ({"rate": "abc"}, "items[0].rate"),
    ({"name": ""}, "items[0].name"),
])
def test_bad_items_name_their_field(patch, where):
    item = {**SCHEDULE["items"][0], **patch}
    with pytest.raises(FeeRuleError) as e:
        schedule_from_json({**SCHEDULE, "items": [item]})
    assert where in str(e.value)


def test_the_rules_still_refuse_an_unlawful_price():
    # 1.50 is outside 1.20 ± 10%: the core rule's own message reaches the staff.
    item = {**SCHEDULE["items"][0], "rate": "1.50"}
    with pytest.raises(FeeRuleError, match="超出政府指导价范围"):
        schedule_from_json({**SCHEDULE, "items": [item]})


def test_declining_subsidies_shorthand():
    item = {**SCHEDULE["items"][0], "declining_subsidies": {"from": "2024-07-01", "per_sqm_month": ["0.10", "0.05"]}}
    s = schedule_from_json({**SCHEDULE, "items": [item]})
    assert [(t.start, t.end, t.per_sqm_month) for t in s.items[0].subsidies] == [
        (date(2024, 7, 1), date(2025, 6, 30), D("0.10")), (date(2025, 7, 1), date(2026, 6, 30), D("0.05"))]


def test_disclosure_round_trip():
    data = {**DISCLOSURE, "fee_items": SCHEDULE["items"], "effective_from": "2026-12-01",
            "annual_accounts": [{"year": 2025, "fee_income": "100.00", "common_parts_income": "0",
                                 "spending": [["工资", "80.00"]]}]}
    d = disclosure_from_json(data)
    assert d.service_staff[0].name == "王某" and d.annual_accounts[0].surplus == D("20.00")
    assert disclosure_from_json(json.loads(json.dumps(disclosure_to_json(d)))) == d


def test_missing_common_parts_income_stays_missing_for_validation():
    d = disclosure_from_json({"annual_accounts": [{"year": 2025, "fee_income": "1.00"}]})
    assert d.annual_accounts[0].common_parts_income is None
