"""Collection rates (收缴率) per estate, building and period, and a summary safe for group chats.

A rate is paid / billed over the bills of the scope, where `paid` counts only what was applied to
those bills (a prepayment for later periods is not collection of this one). The exact rate is a
Fraction; `percent` is it × 100 rounded to 0.01 with ROUND_HALF_UP, for display only.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from core.fees.money import ZERO, format_cny
from core.fees.periods import Period

PERCENT_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class CollectionRecord:
    """One premises' bill for one period and what has been applied to it (statement.PeriodBalance)."""

    estate: str
    building: str
    premises_key: str
    period: Period
    billed: Decimal
    paid: Decimal

    @property
    def collected(self) -> Decimal:
        return max(ZERO, min(self.paid, self.billed))


@dataclass(frozen=True)
class CollectionRate:
    key: Hashable
    billed: Decimal
    collected: Decimal
    premises: int          # premises billed in the scope
    premises_unpaid: int   # of which not fully paid

    @property
    def rate(self) -> Fraction | None:
        return None if self.billed == 0 else Fraction(self.collected) / Fraction(self.billed)

    @property
    def percent(self) -> Decimal | None:
        r = self.rate
        if r is None:
            return None
        return (Decimal(r.numerator * 100) / Decimal(r.denominator)).quantize(PERCENT_PLACES, ROUND_HALF_UP)


def collection_rates(records: Iterable[CollectionRecord],
                     key: Callable[[CollectionRecord], Hashable]) -> list[CollectionRate]:
    """Rates grouped by `key`, in the order keys first appear; each premises counted once per group."""
    groups: dict[Hashable, list[CollectionRecord]] = {}
    for r in records:
        groups.setdefault(key(r), []).append(r)
    out = []
    for k, rs in groups.items():
        owed: dict[str, Decimal] = {}
        for r in rs:
            owed[r.premises_key] = owed.get(r.premises_key, ZERO) + (r.billed - r.collected)
        out.append(CollectionRate(k, sum((r.billed for r in rs), ZERO), sum((r.collected for r in rs), ZERO),
                                  len(owed), sum(1 for v in owed.values() if v > 0)))
    return out


def by_estate(records: Iterable[CollectionRecord]) -> list[CollectionRate]:
    return collection_rates(records, lambda r: r.estate)


def by_building(records: Iterable[CollectionRecord]) -> list[CollectionRate]:
    return collection_rates(records, lambda r: (r.estate, r.building))


def by_period(records: Iterable[CollectionRecord]) -> list[CollectionRate]:
    """Per billing period: per month for a monthly schedule."""
    return sorted(collection_rates(records, lambda r: (r.estate, r.period)), key=lambda c: c.key)


def _pct(c: CollectionRate) -> str:
    return "—" if c.percent is None else f"{c.percent}%"


def group_summary(estate_name: str, records: Sequence[CollectionRecord], period: Period) -> str:
    """The committee's summary for a group chat: buildings and totals only, never owners or rooms."""
    rs = [r for r in records if r.period == period]
    total = collection_rates(rs, lambda r: "all")
    if not total:
        return f"【{estate_name}】{period.label()}暂无账单。"
    t = total[0]
    lines = [f"【{estate_name}】{period.label()}物业费收缴情况",
             f"全小区收缴率 {_pct(t)}（已收 {format_cny(t.collected)} / 应收 {format_cny(t.billed)}），"
             f"共{t.premises}户，其中{t.premises_unpaid}户尚未缴清"]
    buildings = sorted(collection_rates(rs, lambda r: r.building), key=lambda c: str(c.key))
    lines.extend(f"  · {c.key}：{_pct(c)}" for c in buildings)
    lines.append("各户缴费情况不在群内公布；如有疑问，请私信物业服务中心查询本户账单。")
    return "\n".join(lines)
