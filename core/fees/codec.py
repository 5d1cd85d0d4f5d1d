"""Fee schedules and fee disclosures as JSON, for storage and for the files staff write.

Amounts are written as strings ("1.20") or integers; a JSON number with a fraction is refused
unless the file was read with `json.loads(..., parse_float=Decimal)` (as `read_json` does), so no
binary float reaches a price. Errors are FeeRuleError with the path of the bad field
("items[0].rate") and a Chinese message for the staff who wrote the file.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from core.fees.disclosure import AnnualAccount, FeeDisclosure, SharedUtility, StaffMember
from core.fees.periods import PeriodKind
from core.fees.schedule import (
    MARKET,
    BillingMethod,
    FeeItem,
    FeeRuleError,
    FeeSchedule,
    PriceForm,
    PriceFormKind,
    Reduction,
    ReductionCategory,
    Subsidy,
    SubsidyMode,
    declining_subsidies,
)


def read_json(text: str | bytes) -> Any:
    """JSON with every fractional number read as an exact Decimal."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        raise FeeRuleError(f"JSON 格式有误（第{e.lineno}行第{e.colno}列）：{e.msg}") from None


def _dec(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise FeeRuleError(f"{path}：金额请写成字符串，如 \"1.20\"")
    try:
        d = Decimal(str(value).strip()) if isinstance(value, str | int | Decimal) else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        raise FeeRuleError(f"{path}：不是有效的数字 {value!r}")
    return d


def _day(value: Any, path: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FeeRuleError(f"{path}：日期应写成 YYYY-MM-DD，实际为 {value!r}") from None


def _enum(kind: Any, value: Any, path: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = "、".join(m.value for m in kind)
        raise FeeRuleError(f"{path}：应为 {allowed} 之一，实际为 {value!r}") from None


def _need(d: dict[str, Any], key: str, path: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise FeeRuleError(f"{path}.{key}：缺少此项")
    return d[key]


def _text(d: dict[str, Any], key: str) -> str:
    return str(d.get(key) or "")


# -- schedule ---------------------------------------------------------------------------------

def _price_form(d: dict[str, Any] | None, path: str) -> PriceForm:
    if not d:
        return MARKET
    kind = _enum(PriceFormKind, d.get("kind", "market_regulated"), f"{path}.kind")
    if kind is PriceFormKind.MARKET_REGULATED:
        return MARKET
    return PriceForm(kind, _dec(_need(d, "base", path), f"{path}.base"),
                     _dec(_need(d, "float_percent", path), f"{path}.float_percent"))


def _subsidies(d: dict[str, Any], path: str) -> tuple[Subsidy, ...]:
    tiers = tuple(Subsidy(_day(_need(s, "start", f"{path}.subsidies[{i}]"), f"{path}.subsidies[{i}].start"),
                          _day(_need(s, "end", f"{path}.subsidies[{i}]"), f"{path}.subsidies[{i}].end"),
                          _dec(_need(s, "per_sqm_month", f"{path}.subsidies[{i}]"),
                               f"{path}.subsidies[{i}].per_sqm_month"))
                  for i, s in enumerate(d.get("subsidies") or ()))
    declining = d.get("declining_subsidies")
    if declining:
        p = f"{path}.declining_subsidies"
        tiers += declining_subsidies(_day(_need(declining, "from", p), f"{p}.from"),
                                     [_dec(a, f"{p}.per_sqm_month[{i}]")
                                      for i, a in enumerate(_need(declining, "per_sqm_month", p))])
    return tiers


def _item(d: dict[str, Any], path: str) -> FeeItem:
    if not isinstance(d, dict):
        raise FeeRuleError(f"{path}：应为一个收费项目对象")
    rate = d.get("rate")
    return FeeItem(
        code=str(_need(d, "code", path)), name=str(_need(d, "name", path)),
        method=_enum(BillingMethod, _need(d, "method", path), f"{path}.method"),
        charging_starts=_day(_need(d, "charging_starts", path), f"{path}.charging_starts"),
        price_form=_price_form(d.get("price_form"), f"{path}.price_form"),
        rate=None if rate in (None, "") else _dec(rate, f"{path}.rate"),
        free_months=int(d.get("free_months") or 0),
        subsidies=_subsidies(d, path),
        service_content=_text(d, "service_content"))


def schedule_from_json(data: Any) -> FeeSchedule:
    """A validated FeeSchedule; raises FeeRuleError naming the field."""
    if not isinstance(data, dict):
        raise FeeRuleError("收费标准应为一个 JSON 对象")
    items = data.get("items")
    if not items:
        raise FeeRuleError("items：至少需要一个收费项目")
    reductions = tuple(
        Reduction(_enum(ReductionCategory, _need(r, "category", f"reductions[{i}]"), f"reductions[{i}].category"),
                  _dec(_need(r, "percent", f"reductions[{i}]"), f"reductions[{i}].percent"),
                  frozenset(str(c) for c in _need(r, "items", f"reductions[{i}]")))
        for i, r in enumerate(data.get("reductions") or ()))
    return FeeSchedule(
        items=tuple(_item(x, f"items[{i}]") for i, x in enumerate(items)),
        period_kind=_enum(PeriodKind, data.get("period", "quarter"), "period"),
        reductions=reductions,
        subsidy_mode=_enum(SubsidyMode, data.get("subsidy_mode", "paid_to_company"), "subsidy_mode"),
        payment_due_days=int(data.get("payment_due_days", 30)))


def _s(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def item_to_json(i: FeeItem) -> dict[str, Any]:
    out: dict[str, Any] = {"code": i.code, "name": i.name, "method": i.method.value,
                           "charging_starts": i.charging_starts.isoformat(), "rate": _s(i.rate)}
    if i.price_form.kind is PriceFormKind.GOVERNMENT_GUIDED:
        out["price_form"] = {"kind": i.price_form.kind.value, "base": _s(i.price_form.base),
                             "float_percent": _s(i.price_form.float_percent)}
    if i.free_months:
        out["free_months"] = i.free_months
    if i.subsidies:
        out["subsidies"] = [{"start": s.start.isoformat(), "end": s.end.isoformat(),
                             "per_sqm_month": _s(s.per_sqm_month)} for s in i.subsidies]
    if i.service_content:
        out["service_content"] = i.service_content
    return out


def schedule_to_json(s: FeeSchedule) -> dict[str, Any]:
    """The inverse of schedule_from_json (JSON-safe: amounts as strings)."""
    return {"period": s.period_kind.value, "payment_due_days": s.payment_due_days,
            "subsidy_mode": s.subsidy_mode.value,
            "items": [item_to_json(i) for i in s.items],
            "reductions": [{"category": r.category.value, "percent": _s(r.percent), "items": sorted(r.item_codes)}
                           for r in s.reductions]}


# -- disclosure -------------------------------------------------------------------------------

# The fields a person types (the rest comes from the estate and its schedule).
DISCLOSURE_TEXT_FIELDS = ("estate_name", "company_name", "charged_party", "service_content", "service_standard",
                          "billing_method", "charging_starts", "legal_basis", "repair_reporting",
                          "shared_utilities_method")


def disclosure_to_json(d: FeeDisclosure) -> dict[str, Any]:
    out: dict[str, Any] = {f: getattr(d, f) for f in DISCLOSURE_TEXT_FIELDS}
    out.update({
        "fee_items": [item_to_json(i) for i in d.fee_items],
        "complaint_phones": list(d.complaint_phones),
        "service_staff": [{"role": s.role, "name": s.name, "phone": s.phone} for s in d.service_staff],
        "shared_utilities": [{"description": u.description, "amount": _s(u.amount)} for u in d.shared_utilities],
        "annual_accounts": [{"year": a.year, "fee_income": _s(a.fee_income),
                             "common_parts_income": _s(a.common_parts_income),
                             "other_income": _s(a.other_income),
                             "spending": [[name, _s(amount)] for name, amount in a.spending]}
                            for a in d.annual_accounts],
        "effective_from": d.effective_from.isoformat() if d.effective_from else None,
    })
    return out


def disclosure_from_json(data: dict[str, Any]) -> FeeDisclosure:
    """A FeeDisclosure from stored or typed JSON; absent fields stay empty (validation names them)."""
    kw: dict[str, Any] = {f: _text(data, f) for f in DISCLOSURE_TEXT_FIELDS}
    if "complaint_phones" in data:
        kw["complaint_phones"] = tuple(str(p) for p in data["complaint_phones"] or ())
    kw["fee_items"] = tuple(_item(x, f"fee_items[{i}]") for i, x in enumerate(data.get("fee_items") or ()))
    kw["service_staff"] = tuple(StaffMember(str(s.get("role", "")), str(s.get("name", "")), str(s.get("phone") or ""))
                                for s in data.get("service_staff") or ())
    kw["shared_utilities"] = tuple(SharedUtility(str(u["description"]), _dec(u["amount"], f"shared_utilities[{i}]"))
                                   for i, u in enumerate(data.get("shared_utilities") or ()))
    accounts = []
    for i, a in enumerate(data.get("annual_accounts") or ()):
        p = f"annual_accounts[{i}]"
        common = a.get("common_parts_income")
        accounts.append(AnnualAccount(
            int(_need(a, "year", p)), _dec(_need(a, "fee_income", p), f"{p}.fee_income"),
            None if common in (None, "") else _dec(common, f"{p}.common_parts_income"),
            _dec(a.get("other_income") or "0", f"{p}.other_income"),
            tuple((str(n), _dec(v, f"{p}.spending")) for n, v in a.get("spending") or ())))
    kw["annual_accounts"] = tuple(accounts)
    eff = data.get("effective_from")
    kw["effective_from"] = _day(eff, "effective_from") if eff else None
    return FeeDisclosure(**kw)
