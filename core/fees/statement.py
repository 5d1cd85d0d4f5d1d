"""Balance and arrears of one premises from its bills and payments.

Allocation: a payment allocated to a billed period pays that period first; whatever it leaves
over, and every unallocated payment, pays the oldest outstanding period first. What remains after
every period is paid is a credit (预存). The result does not depend on the order payments arrive.
A period is in arrears once its due date has passed and something of it is unpaid.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.fees.billing import Bill
from core.fees.money import ZERO, yuan
from core.fees.periods import Period
from core.fees.schedule import FeeRuleError, FeeSchedule


@dataclass(frozen=True)
class Charge:
    """What one bill asks for, and by when."""

    period: Period
    amount: Decimal
    due: date

    @classmethod
    def of(cls, bill: Bill, schedule: FeeSchedule) -> Charge:
        return cls(bill.period, bill.total, due_date(bill.period, schedule))


def due_date(period: Period, schedule: FeeSchedule) -> date:
    return period.start + timedelta(days=schedule.payment_due_days)


@dataclass(frozen=True)
class Payment:
    amount: Decimal
    paid_on: date
    period: Period | None = None  # allocated by staff to this period, else oldest first

    def __post_init__(self) -> None:
        if yuan(self.amount) <= 0:
            raise FeeRuleError("缴费金额须大于0")


@dataclass(frozen=True)
class PeriodBalance:
    period: Period
    billed: Decimal
    paid: Decimal
    due: date
    overdue: bool        # due date passed and something unpaid

    @property
    def outstanding(self) -> Decimal:
        return self.billed - self.paid


@dataclass(frozen=True)
class Statement:
    as_of: date
    periods: tuple[PeriodBalance, ...]   # oldest first
    credit: Decimal                      # paid beyond every bill

    @property
    def billed(self) -> Decimal:
        return sum((p.billed for p in self.periods), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((p.paid for p in self.periods), ZERO) + self.credit

    @property
    def balance(self) -> Decimal:
        """Owed minus credit: positive means the owner owes."""
        return self.billed - self.paid

    @property
    def outstanding(self) -> tuple[PeriodBalance, ...]:
        return tuple(p for p in self.periods if p.outstanding > 0)

    @property
    def arrears(self) -> tuple[PeriodBalance, ...]:
        return tuple(p for p in self.periods if p.overdue)

    @property
    def arrears_total(self) -> Decimal:
        return sum((p.outstanding for p in self.arrears), ZERO)


def statement(charges: Sequence[Charge], payments: Sequence[Payment], as_of: date) -> Statement:
    """Payments made after `as_of` are left out, so a statement can be drawn for any past day."""
    by_period: dict[Period, Charge] = {}
    for c in charges:
        if c.period in by_period:
            raise FeeRuleError(f"{c.period.label()}有两张账单")
        by_period[c.period] = c
    order = sorted(by_period)
    paid = {p: ZERO for p in order}
    pool = ZERO
    counted = [p for p in payments if p.paid_on <= as_of]
    for pay in counted:
        if pay.period in by_period:
            take = min(pay.amount, by_period[pay.period].amount - paid[pay.period])
            take = max(take, ZERO)
            paid[pay.period] += take
            pool += pay.amount - take
        else:
            pool += pay.amount
    for p in order:
        take = min(pool, by_period[p].amount - paid[p])
        if take > 0:
            paid[p] += take
            pool -= take
    rows = tuple(PeriodBalance(p, by_period[p].amount, paid[p], by_period[p].due,
                               overdue=by_period[p].due < as_of and paid[p] < by_period[p].amount)
                 for p in order)
    return Statement(as_of, rows, pool)
