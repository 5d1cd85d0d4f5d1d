"""A verdict as the contract's JSON object and as Chinese text that shows the arithmetic."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from core.voting.matters import MatterType
from core.voting.rules import DeemedTally, Rule, Verdict

_TYPE_NAMES = {
    MatterType.ORDINARY: "一般事项（民法典第二百七十八条第二款：过半数）",
    MatterType.MAJOR: "重大事项（民法典第二百七十八条第二款：四分之三以上）",
}
_CHOICE_NAMES = {"yes": "同意", "no": "反对", "abstain": "弃权"}


def area_text(d: Decimal) -> str:
    return f"{d:.2f}"


def verdict_json(v: Verdict) -> dict[str, Any]:
    """The object of register-format.md, keys in the contract's order."""
    return {
        "totals": {"area": area_text(v.totals.area), "persons": v.totals.persons},
        "participants": {"area": area_text(v.participants.area), "persons": v.participants.persons},
        "yes": {"area": area_text(v.yes.area), "persons": v.yes.persons},
        "quorum": v.quorum,
        "approved_area": v.approved_area,
        "approved_persons": v.approved_persons,
        "passed": v.passed,
    }


def percent(f: Fraction) -> str:
    """A ratio as a percentage with two places, rounded half up, without floats."""
    hundredths = f * 10000
    n = (2 * hundredths.numerator + hundredths.denominator) // (2 * hundredths.denominator)
    return f"{n // 100}.{n % 100:02d}%"


def _fraction_text(f: Fraction) -> str:
    return f"{f.numerator}/{f.denominator}"


def _threshold(rule: Rule, approval: bool) -> str:
    if approval and rule.strict:
        return f"过半数，>{_fraction_text(rule.approval)}"
    return f"≥{_fraction_text(rule.approval if approval else rule.quorum)}"


def _met(ok: bool) -> str:
    return "达到" if ok else "未达到"


def explain(v: Verdict) -> str:
    """The verdict in Chinese with every figure and comparison, for the published result."""
    r = v.rule
    lines = [
        f"事项类型：{_TYPE_NAMES[v.matter_type]}",
        f"总面积 {area_text(v.totals.area)}㎡，总人数 {v.totals.persons} 人。",
        f"参与表决面积 {area_text(v.participants.area)}㎡，占总面积 {percent(v.participation_area)}"
        f"（{area_text(v.participants.area)}/{area_text(v.totals.area)}，{_threshold(r, False)}，"
        f"{_met(r.reaches_quorum(v.participation_area))}）；"
        f"参与表决人数 {v.participants.persons} 人，占总人数 {percent(v.participation_persons)}"
        f"（{v.participants.persons}/{v.totals.persons}，{_threshold(r, False)}，"
        f"{_met(r.reaches_quorum(v.participation_persons))}）。",
    ]
    if v.approval_area is None or v.approval_persons is None:
        lines.append("无人参与表决。")
    else:
        lines.append(
            f"同意面积 {area_text(v.yes.area)}㎡，占参与表决面积 {percent(v.approval_area)}"
            f"（{area_text(v.yes.area)}/{area_text(v.participants.area)}，{_threshold(r, True)}，"
            f"{_met(v.approved_area)}）；"
            f"同意人数 {v.yes.persons} 人，占参与表决人数 {percent(v.approval_persons)}"
            f"（{v.yes.persons}/{v.participants.persons}，{_threshold(r, True)}，{_met(v.approved_persons)}）。")
        lines.append(
            f"反对面积 {area_text(v.no.area)}㎡、{v.no.persons} 人；弃权面积 {area_text(v.abstain.area)}㎡、"
            f"{v.abstain.persons} 人（反对和弃权均计入参与表决）。")
    if v.passed:
        lines.append("结论：通过。")
    else:
        missing = [name for name, ok in (("参与表决比例", v.quorum), ("同意面积", v.approved_area),
                                         ("同意人数", v.approved_persons)) if not ok]
        lines.append(f"结论：未通过（{'、'.join(missing)}未达到要求）。")
    return "\n".join(lines)


def explain_deemed(d: DeemedTally) -> str:
    """Both tallies, for an estate whose 议事规则 counts non-voters with the majority."""
    parts = ["【按实际投票计算】", explain(d.without), ""]
    if d.deemed_choice is None:
        parts.append("【按议事规则计入未表决业主】参与表决的业主中没有任何意见同时获得面积和人数过半数，"
                     "未表决业主不计入，结果同上。")
    else:
        parts += [f"【按议事规则计入未表决业主】未表决业主 {d.deemed.persons} 人、面积 {area_text(d.deemed.area)}㎡"
                  f"计入多数意见“{_CHOICE_NAMES[d.deemed_choice]}”：", explain(d.with_deemed)]
    return "\n".join(parts)
