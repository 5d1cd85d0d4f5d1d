"""Balance and arrears: oldest period first unless a payment is allocated."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from core.fees import (
    BillingMethod,
    Charge,
    FeeItem,
    FeeRuleError,
    FeeSchedule,
    Payment,
    Period,
    PremisesFacts,
    bill_for,
    statement,
)

Q1, Q2, Q3 = (Period.parse(k) for k in ("2025-Q1", "2025-Q2", "2025-Q3"))
SCHEDULE = FeeSchedule((FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2020, 1, 1), rate=D("0.30")),),
                       payment_due_days=30)
# Each quarter of 89.37㎡ at 0.30 is 80.43; due 30 days after the quarter starts:
# Q1 due 31 Jan, Q2 due 1 May, Q3 due 31 Jul.
CHARGES = [Charge.of(bill_for(D("89.37"), PremisesFacts(), SCHEDULE, p), SCHEDULE) for p in (Q1, Q2, Q3)]


def test_charges_come_from_bills():
    assert [(c.amount, c.due) for c in CHARGES] == [
        (D("80.43"), date(2025, 1, 31)), (D("80.43"), date(2025, 5, 1)), (D("80.43"), date(2025, 7, 31))]


def test_unallocated_payment_pays_the_oldest_first():
    st = statement(CHARGES, [Payment(D("100.00"), date(2025, 2, 10))], as_of=date(2025, 8, 15))
    # Q1 80.43 paid; Q2 gets 100.00 − 80.43 = 19.57 and owes 60.86; Q3 owes 80.43
    assert [p.paid for p in st.periods] == [D("80.43"), D("19.57"), D("0")]
    assert [p.period for p in st.outstanding] == [Q2, Q3]
    assert [p.period for p in st.arrears] == [Q2, Q3]
    assert st.arrears_total == D("141.29")          # 60.86 + 80.43
    assert st.balance == D("141.29")                # 241.29 − 100.00
    assert st.credit == 0


def test_allocated_payment_pays_its_period():
    st = statement(CHARGES, [Payment(D("80.43"), date(2025, 7, 5), period=Q3)], as_of=date(2025, 8, 15))
    assert [p.period for p in st.outstanding] == [Q1, Q2]


def test_allocated_excess_goes_to_the_oldest():
    # 100.00 allocated to Q2 pays its 80.43; 19.57 left pays towards Q1
    st = statement(CHARGES, [Payment(D("100.00"), date(2025, 4, 5), period=Q2)], as_of=date(2025, 8, 15))
    assert [p.paid for p in st.periods] == [D("19.57"), D("80.43"), D("0")]


def test_overpayment_is_credit():
    st = statement(CHARGES, [Payment(D("300.00"), date(2025, 1, 5))], as_of=date(2025, 8, 15))
    # 300.00 − 3 × 80.43 = 58.71
    assert st.credit == D("58.71") and st.balance == D("-58.71") and not st.outstanding


def test_not_yet_due_is_outstanding_but_not_arrears():
    st = statement(CHARGES, [Payment(D("80.43"), date(2025, 1, 20))], as_of=date(2025, 5, 1))
    # Q2 is due on 1 May itself: not yet overdue; Q3 not due either
    assert [p.period for p in st.outstanding] == [Q2, Q3]
    assert st.arrears == () and st.arrears_total == 0


def test_payments_after_the_day_are_left_out():
    st = statement(CHARGES, [Payment(D("80.43"), date(2025, 9, 1))], as_of=date(2025, 8, 15))
    assert st.paid == 0 and st.arrears_total == D("241.29")


def test_two_bills_for_one_period_are_refused():
    with pytest.raises(FeeRuleError):
        statement([CHARGES[0], CHARGES[0]], [], as_of=date(2025, 8, 15))
    with pytest.raises(FeeRuleError):
        Payment(D("0"), date(2025, 1, 1))
