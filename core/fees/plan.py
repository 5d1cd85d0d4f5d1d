"""Bills of many premises under one schedule for one period, from a plan worked out once.

bill_for() works everything out for each premises: charged months, free months, subsidy years, the
share of a shared cost, the wording. Across an estate only the area (and a few facts) differ, so a
BillPlan does that work once per distinct PremisesFacts and keeps, per line, the exact factor that
turns an area into an amount and the fixed words around the figures. A premises then costs a few
integer products and string joins.

Arithmetic is in whole fen (int). With the area as a count of hundredths of a ㎡ (A), a line's exact
amount in fen is A × factor, the factor an exact Fraction (rate × charged months; Σ subsidy × months;
shared amount × day share ÷ shared area), rounded once, half away from zero: money.py's one rule.
So every figure and every word is bill_for()'s; tests/core_fees/test_plan.py compares the two on
varied estates and the wording below must change together with billing.py's. An area that is not a
whole number of hundredths (the register never stores one) is billed by bill_for() itself.

The lines come out as the JSON text that is stored (json.dumps(bill_lines(bill), ensure_ascii=False),
byte for byte): their fixed words are escaped once here, the figures between them are plain ASCII.
Encoding 50,000 lists of dicts would cost as much again as computing them.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Protocol

from core.fees.billing import (
    MINUS,
    BillLine,
    bill_for,
    bill_lines,
    check_shared_costs,
    later,
    stored_line,
    subsidy_parts,
    timed_line,
)
from core.fees.money import format_number, format_rate, format_yuan, yuan
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


def halves(f: Fraction) -> tuple[int, int, int]:
    """(2n, d, 2d) of f = n/d, so that x × f rounded to whole fen is (x·2n + d) // 2d.

    That is floor(x·f + 1/2): half away from zero (money.to_fen) because every amount here is ≥ 0.
    Areas are > 0; rates, subsidies, shared amounts and percentages are ≥ 0 (schedule.py refuses
    others); a reduction applies only to a positive base."""
    return 2 * f.numerator, f.denominator, 2 * f.denominator


@lru_cache(maxsize=1 << 16)  # a bill has a dozen figures and an estate's repeat a lot
def fen_text(fen: int) -> str:
    """format(Decimal amount, "f") of a whole-fen amount: 5362 → "53.62", -150 → "-1.50"."""
    q, r = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}{q}.{r:02d}"


@lru_cache(maxsize=1 << 16)
def _yuan(fen: int) -> str:
    return fen_text(fen) + "元"


def _esc(text: str) -> str:
    """Text as it appears inside a JSON string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _maybe_esc(text: str | None) -> str | None:
    return None if text is None else _esc(text)


def _opening(code: str, name: str) -> str:
    """A stored line up to its net amount."""
    return f'{{"code": {json.dumps(code, ensure_ascii=False)}, "name": {json.dumps(name, ensure_ascii=False)}, "net": "'


def lines_json(lines: list[dict[str, str]]) -> str:
    """Stored lines as JSON text (what a BillPlan writes without building the dicts)."""
    return json.dumps(lines, ensure_ascii=False)


@dataclass(frozen=True)
class BillFigures:
    """What is stored of one bill: totals in fen and its lines as JSON text (lines_json)."""

    total: int      # fen the owner pays
    subsidy: int    # fen of government subsidy
    lines_json: str

    @property
    def lines(self) -> list[dict[str, str]]:
        """The lines as bill_lines() gives them."""
        return json.loads(self.lines_json)  # type: ignore[no-any-return]


class _Line(Protocol):
    def render(self, quantity: str, hundredths: int) -> tuple[int, int, str]:
        """(net fen, subsidy fen, stored line as JSON) for an area given as text and in hundredths."""
        ...


@dataclass(frozen=True)
class _Reduce:
    """A reduction of a line's base: the whole base (全免) or base × percent, rounded once."""

    text: str            # "低保户减免50%", JSON-escaped
    share: tuple[int, int, int]  # percent ÷ 100, halves
    waiver: bool

    @classmethod
    def of(cls, reduction: Reduction | None) -> _Reduce | None:
        if reduction is None:
            return None
        return cls(_esc(reduction.describe()), halves(Fraction(reduction.percent) / 100), reduction.waiver)

    def amount(self, base: int) -> int:
        if base <= 0:
            return 0
        if self.waiver:
            return base
        n2, d, d2 = self.share
        return (base * n2 + d) // d2


def _close(opening: str, parts: list[str], reduce: _Reduce | None, reduction: int, net: int) -> str:
    """The stored line: its net amount and the explanation's clauses, the reduction and what is due."""
    if reduce is not None and reduction:
        parts.append(f"{reduce.text} {MINUS}{_yuan(reduction)}")
    parts.append(f"应缴 {_yuan(net)}")
    net_text = fen_text(net)
    return f'{opening}{net_text}", "explanation": "{"；".join(parts)}"}}'


@dataclass(frozen=True)
class _Fixed:
    """A line that does not depend on the area (per premises, per parking space)."""

    net: int
    subsidy: int
    stored: str

    @classmethod
    def of(cls, line: BillLine) -> _Fixed:
        return cls(int(line.net.scaleb(2)), int(line.subsidy.scaleb(2)),
                   json.dumps(stored_line(line), ensure_ascii=False))

    def render(self, quantity: str, hundredths: int) -> tuple[int, int, str]:
        return self.net, self.subsidy, self.stored


@dataclass(frozen=True)
class _PerArea:
    """元/㎡·月 × area × charged months, the subsidy beside it, a reduction (billing.timed_line).
    Its words are JSON-escaped."""

    opening: str
    gross: tuple[int, int, int]     # rate × charged months, fen per hundredth of a ㎡ (halves)
    subsidy: tuple[int, int, int]   # Σ subsidy × months over the subsidy years, the same
    to_owner: bool
    reduce: _Reduce | None
    idle: str | None        # the whole first clause when nothing is charged
    head: str               # after the area in the first clause, before the gross amount
    note: str               # after the gross amount
    sub_head: str | None    # the subsidy clause, None without subsidy
    sub_mid: str
    sub_tail: str

    def render(self, quantity: str, hundredths: int) -> tuple[int, int, str]:
        n2, d, d2 = self.gross
        gross = (hundredths * n2 + d) // d2
        n2, d, d2 = self.subsidy
        subsidy = (hundredths * n2 + d) // d2
        base = gross - subsidy if self.to_owner else gross
        reduction = self.reduce.amount(base) if self.reduce is not None else 0
        net = base - reduction
        parts = [self.idle if self.idle is not None else f"{quantity}{self.head}{_yuan(gross)}{self.note}"]
        if self.sub_head is not None:
            parts.append(f"{self.sub_head}{quantity}{self.sub_mid}{_yuan(subsidy)}{self.sub_tail}")
        return net, subsidy, _close(self.opening, parts, self.reduce, reduction, net)


@dataclass(frozen=True)
class _Shared:
    """The premises' area share of a shared cost (billing.shared_line). Its words are JSON-escaped."""

    opening: str
    share: tuple[int, int, int]     # amount × day share ÷ shared area, fen per hundredth of a ㎡ (halves)
    reduce: _Reduce | None
    idle: str | None
    head: str               # before the area
    mid: str                # after the area, before the amount

    def render(self, quantity: str, hundredths: int) -> tuple[int, int, str]:
        n2, d, d2 = self.share
        gross = (hundredths * n2 + d) // d2
        reduction = self.reduce.amount(gross) if self.reduce is not None else 0
        net = gross - reduction
        parts = [self.idle if self.idle is not None else f"{self.head}{quantity}{self.mid}{_yuan(gross)}"]
        return net, 0, _close(self.opening, parts, self.reduce, reduction, net)


class BillPlan:
    """bill_for() for every premises of an estate, for one schedule, period and set of shared costs."""

    def __init__(self, schedule: FeeSchedule, period: Period, shared_costs: Sequence[SharedCost] = ()) -> None:
        check_shared_costs(schedule, shared_costs)
        self.schedule, self.period, self.shared_costs = schedule, period, tuple(shared_costs)
        self._plans: dict[PremisesFacts, tuple[_Line, ...]] = {}

    def figures(self, premises_area: Decimal, facts: PremisesFacts) -> BillFigures:
        """The same bill as bill_for(premises_area, facts, ...), as stored."""
        area = premises_area if type(premises_area) is Decimal else yuan(premises_area)
        if area <= 0:
            raise FeeRuleError("专有部分面积须大于0")
        n, d = area.as_integer_ratio()
        hundredths, rest = divmod(n * 100, d)
        if rest:
            bill = bill_for(area, facts, self.schedule, self.period, self.shared_costs)
            return BillFigures(int(bill.total.scaleb(2)), int(bill.subsidy.scaleb(2)), lines_json(bill_lines(bill)))
        plan = self._plans.get(facts)
        if plan is None:
            plan = self._plans[facts] = self._compile(facts)
        quantity = format_number(area)
        total = subsidy = 0
        lines = []
        for line in plan:
            net, sub, stored = line.render(quantity, hundredths)
            total += net
            subsidy += sub
            lines.append(stored)
        return BillFigures(total, subsidy, f"[{', '.join(lines)}]")

    def _compile(self, facts: PremisesFacts) -> tuple[_Line, ...]:
        s, period = self.schedule, self.period
        lines: list[_Line] = []
        for item in s.items:
            match item.method:
                case BillingMethod.PER_AREA_MONTH:
                    lines.append(self._per_area(item, facts))
                case BillingMethod.FIXED_PER_PREMISES_MONTH:
                    lines.append(_Fixed.of(timed_line(item, Decimal(1), facts, s, period)))
                case BillingMethod.PER_PARKING_SPACE_MONTH:
                    if facts.parking_spaces:
                        lines.append(_Fixed.of(timed_line(item, Decimal(facts.parking_spaces), facts, s, period)))
                case BillingMethod.SHARED_BY_AREA:
                    for cost in self.shared_costs:
                        if cost.item_code == item.code and period.contains(cost.end):
                            lines.append(self._shared(item, facts, cost))
        return tuple(lines)

    def _per_area(self, item: FeeItem, facts: PremisesFacts) -> _PerArea:
        assert item.rate is not None
        period = self.period
        start = later(item.charging_starts, facts.charging_starts)
        paid_from = add_months(start, item.free_months)
        first = max(period.start, paid_from)
        charged = Span.between(first, period.end)
        free = Span.between(max(period.start, start), min(period.end, paid_from - timedelta(days=1)))
        gross = Fraction(item.rate) * charged.value
        parts = subsidy_parts(item, first, period.end)
        sub = sum((Fraction(p.per_sqm_month) * p.span.value for p in parts), Fraction(0))
        to_owner = self.schedule.subsidy_mode is SubsidyMode.REDUCES_OWNER_PRICE

        idle: str | None = None
        head = note = ""
        if not charged:
            if start > period.end:
                idle = f"{format_date_zh(start)}起计费，本期不计费"
            else:
                idle = f"本期在新服务免费期内（免费至{format_date_zh(paid_from - timedelta(days=1))}），不计费"
        else:
            head = f"㎡ × {format_rate(item.rate)}{item.method.unit_zh} × {charged.describe()} = "
            notes = []
            if start > period.start:
                notes.append(f"{format_date_zh(start)}起计费")
            if free:
                notes.append(f"新服务免费期{free.describe()}不计费")
            note = f"（{'，'.join(notes)}）" if notes else ""
        sub_head: str | None = None
        sub_mid = sub_tail = ""
        if parts:
            terms = " + ".join(f"{format_rate(p.per_sqm_month)}元/㎡·月 × {p.span.describe()}" for p in parts)
            times = f"㎡ × {'(' + terms + ')' if len(parts) > 1 else terms}"
            if to_owner:
                sub_head, sub_mid = "政府补贴 ", f"{times} {MINUS}"
            else:
                sub_head, sub_mid, sub_tail = "政府另向物业服务企业补贴 ", f"{times} = ", "（不由业主缴纳）"
        return _PerArea(_opening(item.code, item.name), halves(gross), halves(sub),
                        to_owner, _Reduce.of(self.schedule.reduction_for(facts.reduction, item.code)),
                        _maybe_esc(idle), _esc(head), _esc(note), _maybe_esc(sub_head), _esc(sub_mid),
                        _esc(sub_tail))

    def _shared(self, item: FeeItem, facts: PremisesFacts, cost: SharedCost) -> _Shared:
        start = later(item.charging_starts, facts.charging_starts)
        whole = Span.between(cost.start, cost.end)
        charged = Span.between(max(cost.start, start), cost.end)
        factor = Fraction(cost.amount) * Fraction(charged.days, whole.days) / Fraction(cost.total_area)
        what = cost.description or f"{format_date_zh(cost.start)}至{format_date_zh(cost.end)}"
        idle: str | None = None
        head = mid = ""
        if not charged:
            idle = f"{what}在{format_date_zh(start)}起计费之前，本期不分摊"
        else:
            days = f" × {charged.days}/{whole.days}天（{format_date_zh(start)}起计费）" if charged.days < whole.days else ""
            head = f"{what} {format_yuan(cost.amount)} × "
            mid = f"㎡ ÷ {format_number(cost.total_area)}㎡{days} = "
        return _Shared(_opening(item.code, item.name), halves(factor),
                       _Reduce.of(self.schedule.reduction_for(facts.reduction, item.code)), _maybe_esc(idle),
                       _esc(head), _esc(mid))
