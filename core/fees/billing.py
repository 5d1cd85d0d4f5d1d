"""One premises' bill for one period, with the arithmetic of every line kept as data.

Order of a time-based line (see money.py for the one rounding rule):
  gross      = quantity × rate × charged months            → rounded to fen once
  subsidy    = Σ area × subsidy × months over the subsidy years → rounded to fen once
  base       = gross, or gross − subsidy when the schedule lets the subsidy reduce the owner's price
  reduction  = base × percent                              → rounded to fen once (100% = base)
  net        = base − reduction
Charged months start at the later of the item's and the premises' start of charging, skip the
item's free months (counted from that start, as whole calendar months with the day clamped) and
are prorated by day (span.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from core.fees.money import ZERO, format_number, format_rate, format_yuan, to_fen, yuan
from core.fees.periods import Period, add_months, format_date_zh
from core.fees.schedule import (
    BillingMethod,
    FeeItem,
    FeeRuleError,
    FeeSchedule,
    PremisesFacts,
    Reduction,
    SharedCost,
    SubsidyMode,
)
from core.fees.span import Span

MINUS = "−"  # U+2212, as printed on bills


@dataclass(frozen=True)
class SubsidyPart:
    per_sqm_month: Decimal
    span: Span


@dataclass(frozen=True)
class BillLine:
    item_code: str
    item_name: str
    method: BillingMethod
    quantity: Decimal              # ㎡ of counted area, parking spaces, or 1 premises
    rate: Decimal | None           # None for a shared cost
    charged: Span                  # months charged, day-prorated
    free: Span                     # months of this period inside the item's free months
    charging_from: date            # the start of charging that applied
    gross: Decimal
    subsidy: Decimal               # the government subsidy for this line's area and months
    subsidy_parts: tuple[SubsidyPart, ...]
    subsidy_to_owner: bool         # True: deducted from what the owner pays
    reduction: Reduction | None
    reduction_amount: Decimal
    net: Decimal                   # what the owner pays for this line
    explanation: str
    shared: SharedCost | None = None

    @property
    def company_receives(self) -> Decimal:
        """Owner's payment plus the subsidy, which reaches the company either way."""
        return self.net + self.subsidy


@dataclass(frozen=True)
class Bill:
    period: Period
    area: Decimal
    lines: tuple[BillLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.net for line in self.lines), ZERO)

    @property
    def subsidy(self) -> Decimal:
        return sum((line.subsidy for line in self.lines), ZERO)

    @property
    def explanation(self) -> str:
        rows = [f"{line.item_name}：{line.explanation}" for line in self.lines]
        rows.append(f"{self.period.label()}合计应缴 {format_yuan(self.total)}")
        return "\n".join(rows)


def later(a: date, b: date | None) -> date:
    return a if b is None or b <= a else b


def _exact(d: Decimal) -> Fraction:
    return Fraction(d)


def subsidy_parts(item: FeeItem, first: date, last: date) -> tuple[SubsidyPart, ...]:
    parts = []
    for s in sorted(item.subsidies, key=lambda s: s.start):
        span = Span.between(max(first, s.start), min(last, s.end))
        if span and s.per_sqm_month:
            parts.append(SubsidyPart(s.per_sqm_month, span))
    return tuple(parts)


def _reduce(base: Decimal, reduction: Reduction | None) -> Decimal:
    if reduction is None or base <= 0:
        return ZERO
    if reduction.waiver:
        return base
    return to_fen(_exact(base) * _exact(reduction.percent) / 100)


def _tail(text: list[str], reduction: Reduction | None, reduction_amount: Decimal, net: Decimal) -> str:
    if reduction is not None and reduction_amount:
        text.append(f"{reduction.describe()} {MINUS}{format_yuan(reduction_amount)}")
    text.append(f"应缴 {format_yuan(net)}")
    return "；".join(text)


def timed_line(item: FeeItem, quantity: Decimal, facts: PremisesFacts, schedule: FeeSchedule,
                period: Period) -> BillLine:
    assert item.rate is not None
    start = later(item.charging_starts, facts.charging_starts)
    paid_from = add_months(start, item.free_months)
    first = max(period.start, paid_from)
    charged = Span.between(first, period.end)
    free = Span.between(max(period.start, start), min(period.end, paid_from - timedelta(days=1)))
    gross = to_fen(_exact(quantity) * _exact(item.rate) * charged.value)

    parts = subsidy_parts(item, first, period.end) if item.method is BillingMethod.PER_AREA_MONTH else ()
    subsidy = to_fen(sum((_exact(quantity) * _exact(p.per_sqm_month) * p.span.value for p in parts),
                         Fraction(0)))
    to_owner = schedule.subsidy_mode is SubsidyMode.REDUCES_OWNER_PRICE
    base = gross - subsidy if to_owner else gross
    reduction = schedule.reduction_for(facts.reduction, item.code)
    reduction_amount = _reduce(base, reduction)
    net = base - reduction_amount

    text: list[str] = []
    if not charged:
        if start > period.end:
            text.append(f"{format_date_zh(start)}起计费，本期不计费")
        else:
            text.append(f"本期在新服务免费期内（免费至{format_date_zh(paid_from - timedelta(days=1))}），不计费")
    else:
        match item.method:
            case BillingMethod.PER_AREA_MONTH:
                head = f"{format_number(quantity)}㎡ × "
            case BillingMethod.PER_PARKING_SPACE_MONTH:
                head = f"{format_number(quantity)}个车位 × "
            case _:
                head = ""
        notes = []
        if start > period.start:
            notes.append(f"{format_date_zh(start)}起计费")
        if free:
            notes.append(f"新服务免费期{free.describe()}不计费")
        note = f"（{'，'.join(notes)}）" if notes else ""
        text.append(f"{head}{format_rate(item.rate)}{item.method.unit_zh} × {charged.describe()}"
                    f" = {format_yuan(gross)}{note}")
    if parts:
        terms = " + ".join(f"{format_rate(p.per_sqm_month)}元/㎡·月 × {p.span.describe()}" for p in parts)
        arithmetic = f"{format_number(quantity)}㎡ × {'(' + terms + ')' if len(parts) > 1 else terms}"
        if to_owner:
            text.append(f"政府补贴 {arithmetic} {MINUS}{format_yuan(subsidy)}")
        else:
            text.append(f"政府另向物业服务企业补贴 {arithmetic} = {format_yuan(subsidy)}（不由业主缴纳）")
    return BillLine(item.code, item.name, item.method, quantity, item.rate, charged, free, start, gross,
                    subsidy, parts, to_owner, reduction, reduction_amount, net,
                    _tail(text, reduction, reduction_amount, net))


def shared_line(item: FeeItem, area: Decimal, facts: PremisesFacts, schedule: FeeSchedule,
                 cost: SharedCost) -> BillLine:
    start = later(item.charging_starts, facts.charging_starts)
    whole = Span.between(cost.start, cost.end)
    charged = Span.between(max(cost.start, start), cost.end)
    share = Fraction(charged.days, whole.days)
    gross = to_fen(_exact(cost.amount) * _exact(area) / _exact(cost.total_area) * share)
    reduction = schedule.reduction_for(facts.reduction, item.code)
    reduction_amount = _reduce(gross, reduction)
    net = gross - reduction_amount
    what = cost.description or f"{format_date_zh(cost.start)}至{format_date_zh(cost.end)}"
    if not charged:
        text = [f"{what}在{format_date_zh(start)}起计费之前，本期不分摊"]
    else:
        days = f" × {charged.days}/{whole.days}天（{format_date_zh(start)}起计费）" if charged.days < whole.days else ""
        text = [f"{what} {format_yuan(cost.amount)} × {format_number(area)}㎡ ÷ "
                f"{format_number(cost.total_area)}㎡{days} = {format_yuan(gross)}"]
    return BillLine(item.code, item.name, item.method, area, None, charged, Span(), start, gross, ZERO, (),
                    False, reduction, reduction_amount, net, _tail(text, reduction, reduction_amount, net),
                    shared=cost)


def check_shared_costs(schedule: FeeSchedule, shared_costs: Sequence[SharedCost]) -> None:
    unknown = {c.item_code for c in shared_costs} - {i.code for i in schedule.items
                                                    if i.method is BillingMethod.SHARED_BY_AREA}
    if unknown:
        raise FeeRuleError(f"分摊费用指向不存在的分摊项目：{'、'.join(sorted(unknown))}")


def stored_line(line: BillLine) -> dict[str, str]:
    """A line as stored with its bill (fee_bill.lines) and shown to the owner."""
    return {"code": line.item_code, "name": line.item_name, "net": format(line.net, "f"),
            "explanation": line.explanation}


def bill_lines(bill: Bill) -> list[dict[str, str]]:
    return [stored_line(ln) for ln in bill.lines]


def bill_for(premises_area: Decimal, facts: PremisesFacts, schedule: FeeSchedule, period: Period,
             shared_costs: Sequence[SharedCost] = ()) -> Bill:
    """The bill of one premises for one period.

    Items the premises cannot owe (parking without a space) get no line; an item whose charging
    has not started, or is free, gets a 0.00 line that says why. A shared cost belongs to the
    period in which it ends."""
    area = yuan(premises_area)
    if area <= 0:
        raise FeeRuleError("专有部分面积须大于0")
    lines: list[BillLine] = []
    for item in schedule.items:
        match item.method:
            case BillingMethod.PER_AREA_MONTH:
                lines.append(timed_line(item, area, facts, schedule, period))
            case BillingMethod.FIXED_PER_PREMISES_MONTH:
                lines.append(timed_line(item, Decimal(1), facts, schedule, period))
            case BillingMethod.PER_PARKING_SPACE_MONTH:
                if facts.parking_spaces:
                    lines.append(timed_line(item, Decimal(facts.parking_spaces), facts, schedule, period))
            case BillingMethod.SHARED_BY_AREA:
                for cost in shared_costs:
                    if cost.item_code == item.code and period.contains(cost.end):
                        lines.append(shared_line(item, area, facts, schedule, cost))
    check_shared_costs(schedule, shared_costs)
    return Bill(period, area, tuple(lines))
