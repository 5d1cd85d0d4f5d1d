"""An estate's fee schedule: fee items, price forms, reductions, free months and subsidies.

Everything here is validated when constructed, so a schedule that exists is one that can be billed:
a government-guided price outside its float range, a reduction on an unknown item or overlapping
subsidy years raise FeeRuleError with a Chinese message for the staff who typed it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from core.fees.money import format_percent, format_rate, yuan
from core.fees.periods import PeriodKind, add_months, format_date_zh


class FeeRuleError(ValueError):
    pass


class BillingMethod(StrEnum):
    PER_AREA_MONTH = "per_area_month"                    # 元/㎡·月 × the premises' counted area
    FIXED_PER_PREMISES_MONTH = "fixed_per_premises_month"  # 元/户·月
    PER_PARKING_SPACE_MONTH = "per_parking_space_month"    # 元/个·月 × the premises' parking spaces
    SHARED_BY_AREA = "shared_by_area"                    # a period's shared amount split by area share

    @property
    def unit_zh(self) -> str:
        return {"per_area_month": "元/㎡·月", "fixed_per_premises_month": "元/户·月",
                "per_parking_space_month": "元/个·月", "shared_by_area": "按面积分摊"}[self.value]

    @property
    def label_zh(self) -> str:
        return {"per_area_month": "按建筑面积按月计收", "fixed_per_premises_month": "按户按月计收",
                "per_parking_space_month": "按车位按月计收",
                "shared_by_area": "按实际发生额、按面积比例分摊"}[self.value]


class PriceFormKind(StrEnum):
    GOVERNMENT_GUIDED = "government_guided"  # 政府指导价
    MARKET_REGULATED = "market_regulated"    # 市场调节价

    @property
    def label_zh(self) -> str:
        return "政府指导价" if self is PriceFormKind.GOVERNMENT_GUIDED else "市场调节价"


@dataclass(frozen=True)
class PriceForm:
    """政府指导价 carries the base price and the float range (percent) the actual price must respect."""

    kind: PriceFormKind
    base: Decimal | None = None
    float_percent: Decimal | None = None

    def __post_init__(self) -> None:
        if self.kind is PriceFormKind.GOVERNMENT_GUIDED:
            if self.base is None or self.float_percent is None:
                raise FeeRuleError("政府指导价须注明基准价和浮动幅度")
            if yuan(self.base) < 0 or not Decimal(0) <= yuan(self.float_percent) <= Decimal(100):
                raise FeeRuleError("政府指导价的基准价不能为负，浮动幅度须在0%到100%之间")
        elif self.base is not None or self.float_percent is not None:
            raise FeeRuleError("市场调节价没有基准价和浮动幅度")

    def bounds(self) -> tuple[Decimal, Decimal] | None:
        """The lawful range base × (1 ± float), exact; None for market-regulated prices."""
        if self.base is None or self.float_percent is None:
            return None
        f = self.float_percent / 100
        return self.base * (1 - f), self.base * (1 + f)

    def describe(self) -> str:
        if self.base is None or self.float_percent is None:
            return self.kind.label_zh
        return f"{self.kind.label_zh}（基准价{format_rate(self.base)}元，浮动幅度±{format_percent(self.float_percent)}）"


MARKET = PriceForm(PriceFormKind.MARKET_REGULATED)


def government_guided(base: Decimal | str, float_percent: Decimal | str) -> PriceForm:
    return PriceForm(PriceFormKind.GOVERNMENT_GUIDED, yuan(base), yuan(float_percent))


class ReductionCategory(StrEnum):
    DIBAO = "dibao"  # 低保户
    TEKUN = "tekun"  # 特困户

    @property
    def label_zh(self) -> str:
        return "低保户" if self is ReductionCategory.DIBAO else "特困户"

    @property
    def label_en(self) -> str:
        return ("minimum-living-allowance household" if self is ReductionCategory.DIBAO
                else "household in extreme hardship")


@dataclass(frozen=True)
class Reduction:
    """A percentage off the chosen items for one category; 100 is a full waiver (全免)."""

    category: ReductionCategory
    percent: Decimal
    item_codes: frozenset[str]

    def __post_init__(self) -> None:
        if not Decimal(0) < yuan(self.percent) <= Decimal(100):
            raise FeeRuleError(f"{self.category.label_zh}减免比例须大于0%且不超过100%")
        if not self.item_codes:
            raise FeeRuleError(f"{self.category.label_zh}减免须指定收费项目")

    @property
    def waiver(self) -> bool:
        return self.percent == 100

    def describe(self) -> str:
        return f"{self.category.label_zh}{'全免' if self.waiver else '减免' + format_percent(self.percent)}"


@dataclass(frozen=True)
class Subsidy:
    """A government subsidy per ㎡ per month for the days from `start` to `end` (inclusive)."""

    start: date
    end: date
    per_sqm_month: Decimal

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise FeeRuleError(f"补贴期限有误：{format_date_zh(self.start)}晚于{format_date_zh(self.end)}")
        if yuan(self.per_sqm_month) < 0:
            raise FeeRuleError("补贴标准不能为负")


def declining_subsidies(first_day: date, amounts: Sequence[Decimal | str]) -> tuple[Subsidy, ...]:
    """One subsidy tier per year from `first_day`, e.g. Baotou's 0.10, 0.05, 0.05 over three years."""
    tiers: list[Subsidy] = []
    for i, amount in enumerate(amounts):
        start = add_months(first_day, 12 * i)
        end = add_months(first_day, 12 * (i + 1)) - timedelta(days=1)
        tiers.append(Subsidy(start, end, yuan(amount)))
    return tuple(tiers)


class SubsidyMode(StrEnum):
    # The subsidy is paid to the property company in addition to what the owner pays (Baotou:
    # owners pay 0.3 or 0.6 元/㎡·月 and the district pays the company on top). Shown for information.
    PAID_TO_COMPANY = "paid_to_company"
    # The owner pays the rate minus the subsidy; the company receives the subsidy instead.
    REDUCES_OWNER_PRICE = "reduces_owner_price"


@dataclass(frozen=True)
class FeeItem:
    code: str
    name: str                      # 物业服务费, 停车费, 公共水电分摊 ...
    method: BillingMethod
    charging_starts: date          # 计费起始时间: nothing is charged for any day before it
    price_form: PriceForm = MARKET
    rate: Decimal | None = None    # the actual price; None only for shared_by_area
    free_months: int = 0           # a newly introduced service: its first N months cost nothing
    subsidies: tuple[Subsidy, ...] = ()
    service_content: str = ""      # for the fee disclosure

    def __post_init__(self) -> None:
        if not self.code.strip() or not self.name.strip():
            raise FeeRuleError("收费项目须有编码和名称")
        if self.method is BillingMethod.SHARED_BY_AREA:
            if self.rate is not None:
                raise FeeRuleError(f"{self.name}按实分摊，不设单价")
            if self.free_months or self.subsidies:
                raise FeeRuleError(f"{self.name}按实分摊，不适用免费期或补贴")
        else:
            if self.rate is None or yuan(self.rate) < 0:
                raise FeeRuleError(f"{self.name}须有不为负的单价")
            bounds = self.price_form.bounds()
            if bounds is not None and not bounds[0] <= self.rate <= bounds[1]:
                raise FeeRuleError(
                    f"{self.name}单价{format_rate(self.rate)}元超出政府指导价范围"
                    f"（{format_rate(bounds[0])}—{format_rate(bounds[1])}元）")
        if self.free_months < 0:
            raise FeeRuleError(f"{self.name}免费月数不能为负")
        if self.subsidies and self.method is not BillingMethod.PER_AREA_MONTH:
            raise FeeRuleError(f"{self.name}：按面积补贴只适用于按建筑面积计收的项目")
        tiers = sorted(self.subsidies, key=lambda s: s.start)
        for a, b in zip(tiers, tiers[1:]):
            if b.start <= a.end:
                raise FeeRuleError(f"{self.name}的补贴期限重叠（{format_date_zh(b.start)}）")

    @property
    def standard(self) -> str:
        """收费标准 as shown to owners: "0.30元/㎡·月", or the sharing rule."""
        if self.rate is None:
            return self.method.unit_zh
        return f"{format_rate(self.rate)}{self.method.unit_zh}"

    def subsidy_on(self, day: date) -> Decimal:
        for s in self.subsidies:
            if s.start <= day <= s.end:
                return s.per_sqm_month
        return Decimal(0)


@dataclass(frozen=True)
class FeeSchedule:
    items: tuple[FeeItem, ...]
    period_kind: PeriodKind = PeriodKind.QUARTER
    reductions: tuple[Reduction, ...] = ()
    subsidy_mode: SubsidyMode = SubsidyMode.PAID_TO_COMPANY
    payment_due_days: int = 30     # a bill is due this many days after its period starts (预交)

    def __post_init__(self) -> None:
        codes = [i.code for i in self.items]
        if len(codes) != len(set(codes)):
            raise FeeRuleError("收费项目编码重复")
        seen: set[tuple[ReductionCategory, str]] = set()
        for r in self.reductions:
            for code in r.item_codes:
                if code not in codes:
                    raise FeeRuleError(f"{r.category.label_zh}减免指向不存在的收费项目：{code}")
                if (r.category, code) in seen:
                    raise FeeRuleError(f"{r.category.label_zh}对同一收费项目{code}设置了两次减免")
                seen.add((r.category, code))
        if self.subsidy_mode is SubsidyMode.REDUCES_OWNER_PRICE:
            for item in self.items:
                for s in item.subsidies:
                    if item.rate is not None and s.per_sqm_month > item.rate:
                        raise FeeRuleError(f"{item.name}的补贴高于单价，业主应缴不能为负")
        if self.payment_due_days < 0:
            raise FeeRuleError("缴费期限不能为负")

    def item(self, code: str) -> FeeItem:
        for i in self.items:
            if i.code == code:
                return i
        raise KeyError(code)

    def reduction_for(self, category: ReductionCategory | None, item_code: str) -> Reduction | None:
        if category is None:
            return None
        for r in self.reductions:
            if r.category is category and item_code in r.item_codes:
                return r
        return None


@dataclass(frozen=True)
class PremisesFacts:
    """What a bill needs to know about one premises besides its counted area."""

    parking_spaces: int = 0
    reduction: ReductionCategory | None = None   # an approved 低保/特困 reduction
    charging_starts: date | None = None          # e.g. the handover date, when later than the item's

    def __post_init__(self) -> None:
        if self.parking_spaces < 0:
            raise FeeRuleError("车位数不能为负")


@dataclass(frozen=True)
class SharedCost:
    """A shared public water or power amount for one billing period, to split by area share.

    `total_area` is the area of all premises that share it (the caller decides who shares)."""

    item_code: str
    start: date
    end: date
    amount: Decimal
    total_area: Decimal
    description: str = ""  # e.g. "2025年第1季度公共区域电费"

    def __post_init__(self) -> None:
        if self.end < self.start or yuan(self.amount) < 0 or yuan(self.total_area) <= 0:
            raise FeeRuleError("分摊费用的期间、金额或分摊面积有误")

