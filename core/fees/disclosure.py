"""Fee disclosure (收费公示): the fields of 《物业服务收费明码标价规定》 art. 6, the estate's 四公开,
shared water and power, and yearly income and spending (民法典 art. 943); its checks before publishing.

A change of any fee standard (a rate changed, an item added or removed, compared with the previous
published disclosure) must take effect no earlier than one month after publication; "one month" is
the same day of the next month, clamped to its last day (published 31 January → effective from
28/29 February at the earliest).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from core.fees.money import ZERO, format_cny
from core.fees.periods import add_months, format_date_zh
from core.fees.schedule import BillingMethod, FeeItem

DEFAULT_COMPLAINT_PHONES = ("12345", "12315")


@dataclass(frozen=True)
class StaffMember:
    role: str          # 项目经理, 客服, 维修 ...
    name: str
    phone: str = ""


@dataclass(frozen=True)
class SharedUtility:
    """One shared public water or power amount already split, e.g. a quarter's lift power."""

    description: str
    amount: Decimal


@dataclass(frozen=True)
class AnnualAccount:
    year: int
    fee_income: Decimal
    common_parts_income: Decimal | None     # 共有部分经营收益: must be stated, even as 0
    other_income: Decimal = ZERO
    spending: tuple[tuple[str, Decimal], ...] = ()

    @property
    def total_income(self) -> Decimal:
        return self.fee_income + (self.common_parts_income or ZERO) + self.other_income

    @property
    def total_spending(self) -> Decimal:
        return sum((amount for _, amount in self.spending), ZERO)

    @property
    def surplus(self) -> Decimal:
        return self.total_income - self.total_spending


@dataclass(frozen=True, kw_only=True)
class FeeDisclosure:
    estate_name: str = ""
    company_name: str = ""                   # 物业服务企业名称
    charged_party: str = ""                  # 收费对象
    service_content: str = ""                # 服务内容
    service_standard: str = ""               # 服务标准
    billing_method: str = ""                 # 计费方式
    charging_starts: str = ""                # 计费起始时间
    fee_items: tuple[FeeItem, ...] = ()      # 收费项目, 收费标准 and 价格管理形式 of each
    legal_basis: str = ""                    # 收费依据
    complaint_phones: tuple[str, ...] = DEFAULT_COMPLAINT_PHONES  # 价格举报电话
    service_staff: tuple[StaffMember, ...] = ()   # 四公开: 服务人员
    repair_reporting: str = ""               # 四公开: 报修方式
    shared_utilities_method: str = ""        # 公共水电分摊方式
    shared_utilities: tuple[SharedUtility, ...] = ()
    annual_accounts: tuple[AnnualAccount, ...] = ()
    effective_from: date | None = None       # when these standards apply

    def standards(self) -> dict[str, tuple[str, str]]:
        """Item code → (name, standard), the basis for detecting a price change."""
        return {i.code: (i.name, i.standard) for i in self.fee_items}


def describe_billing_methods(items: tuple[FeeItem, ...]) -> str:
    """计费方式 written from the schedule, e.g. "物业服务费按建筑面积按月计收；停车费按车位按月计收"."""
    return "；".join(f"{i.name}{i.method.label_zh}" for i in items)


def describe_charging_starts(items: tuple[FeeItem, ...]) -> str:
    return "；".join(f"{i.name}自{format_date_zh(i.charging_starts)}起计费"
                    + (f"（前{i.free_months}个月免费）" if i.free_months else "") for i in items)


class ProblemKind(StrEnum):
    MISSING = "missing"
    INCOMPLETE = "incomplete"
    NOTICE_TOO_SHORT = "notice_too_short"


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    field: str
    message: str


_REQUIRED_TEXT = (
    ("estate_name", "小区名称"),
    ("company_name", "物业服务企业名称"),
    ("charged_party", "收费对象"),
    ("service_content", "服务内容"),
    ("service_standard", "服务标准"),
    ("billing_method", "计费方式"),
    ("charging_starts", "计费起始时间"),
    ("legal_basis", "收费依据"),
    ("repair_reporting", "报修方式"),
)


def _missing(field: str, label: str) -> Problem:
    return Problem(ProblemKind.MISSING, field, f"缺少必填项：{label}")


def price_changes(disclosure: FeeDisclosure, previous: FeeDisclosure | None) -> list[str]:
    """Names of the items whose standard differs from the previous disclosure (added and removed too)."""
    if previous is None:
        return []
    new, old = disclosure.standards(), previous.standards()
    names = []
    for code in sorted(new.keys() | old.keys()):
        a, b = new.get(code), old.get(code)
        if a is None or b is None or a[1] != b[1]:
            names.append((a or b or (code, ""))[0])
    return names


def validate_for_publication(disclosure: FeeDisclosure, now: datetime | date,
                             previous: FeeDisclosure | None = None) -> list[Problem]:
    """Everything that stops publication; empty means it may be published `now` (estate time)."""
    d = disclosure
    problems = [_missing(f, label) for f, label in _REQUIRED_TEXT if not str(getattr(d, f)).strip()]
    if not d.fee_items:
        problems.append(_missing("fee_items", "收费项目及收费标准"))
    if not any(p.strip() for p in d.complaint_phones):
        problems.append(_missing("complaint_phones", "价格举报电话"))
    if not d.service_staff:
        problems.append(_missing("service_staff", "服务人员"))
    if any(i.method is BillingMethod.SHARED_BY_AREA for i in d.fee_items) and not d.shared_utilities_method.strip():
        problems.append(_missing("shared_utilities_method", "公共水电分摊方式"))
    for acc in d.annual_accounts:
        if acc.common_parts_income is None:
            problems.append(Problem(ProblemKind.INCOMPLETE, "annual_accounts",
                                    f"缺少必填项：{acc.year}年度共有部分经营收益（没有收益请填0）"))

    changed = price_changes(d, previous)
    if changed:
        published = now.date() if isinstance(now, datetime) else now
        earliest = add_months(published, 1)
        names = "、".join(changed)
        if d.effective_from is None:
            problems.append(_missing("effective_from", f"执行日期（{names}收费标准有调整）"))
        elif d.effective_from < earliest:
            problems.append(Problem(
                ProblemKind.NOTICE_TOO_SHORT, "effective_from",
                f"{names}收费标准调整须提前一个月公示：{format_date_zh(published)}公示，"
                f"最早{format_date_zh(earliest)}起执行，拟定的{format_date_zh(d.effective_from)}过早"))
    return problems


def render_text(disclosure: FeeDisclosure) -> str:
    """The disclosure as one readable chat message."""
    d = disclosure
    lines = [f"【收费公示】{d.estate_name}",
             f"物业服务企业：{d.company_name}",
             f"收费对象：{d.charged_party}",
             f"服务内容：{d.service_content}",
             f"服务标准：{d.service_standard}",
             f"计费方式：{d.billing_method}",
             f"计费起始时间：{d.charging_starts}",
             "收费项目及收费标准："]
    for i in d.fee_items:
        lines.append(f"  · {i.name}：{i.standard}，{i.price_form.describe()}")
    if d.effective_from is not None:
        lines.append(f"执行日期：{format_date_zh(d.effective_from)}起")
    lines.append(f"收费依据：{d.legal_basis}")
    if d.service_staff:
        staff = "；".join(f"{s.role} {s.name}" + (f" {s.phone}" if s.phone else "") for s in d.service_staff)
        lines.append(f"服务人员：{staff}")
    lines.append(f"报修方式：{d.repair_reporting}")
    if d.shared_utilities_method or d.shared_utilities:
        lines.append(f"公共水电分摊：{d.shared_utilities_method}")
        lines.extend(f"  · {u.description}：{format_cny(u.amount)}" for u in d.shared_utilities)
    for acc in d.annual_accounts:
        common = "未填报" if acc.common_parts_income is None else format_cny(acc.common_parts_income)
        lines.append(f"{acc.year}年度收支：物业费收入{format_cny(acc.fee_income)}，共有部分经营收益{common}，"
                     f"其他收入{format_cny(acc.other_income)}，合计收入{format_cny(acc.total_income)}；"
                     f"支出合计{format_cny(acc.total_spending)}，结余{format_cny(acc.surplus)}")
        lines.extend(f"  · 支出：{name} {format_cny(amount)}" for name, amount in acc.spending)
    lines.append(f"价格举报电话：{'、'.join(p for p in d.complaint_phones if p.strip())}")
    return "\n".join(lines)
