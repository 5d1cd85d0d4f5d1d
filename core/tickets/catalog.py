"""Names people read: categories and departments from taxonomy.yaml, and the safety advice for
urgent cases. Pure lookups; the codes are the contract, the names are for display only."""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from nlp import taxonomy


@cache
def _names() -> tuple[Mapping[str, str], Mapping[str, str]]:
    categories = {code: c.zh for code, c in taxonomy.CATEGORIES.items()}
    return MappingProxyType(categories), taxonomy.DEPARTMENTS


def category_codes() -> list[str]:
    return list(_names()[0])


def category_name(code: str) -> str:
    """The Chinese name a resident reads: 电梯故障或困人."""
    return _names()[0].get(code, code)


def short_category_name(code: str) -> str:
    """The first part of the name, for restating: 电梯故障或困人 -> 电梯故障; 漏水、管道… -> 漏水."""
    name = category_name(code)
    return re.split(r"[、，,或]", name, maxsplit=1)[0]


def department_kind_name(code: str | None) -> str | None:
    """The generic name of a department code (综合行政执法); offices name their own in `department`."""
    return None if code is None else _names()[1].get(code, code)


# Urgent reasons of the classifier (nlp.urgency.REASONS) -> what to do right now.
ADVICE: Mapping[str, str] = MappingProxyType({
    "trapped": "被困电梯请保持冷静，不要扒门或撬门，按下轿厢内警铃或拨打电梯内的救援电话，等待救援。",
    "gas": "闻到燃气味请立即关闭燃气总阀，打开门窗通风，不要开关电器、不要打电话或点火，离开后在室外拨打燃气抢修电话。",
    "fire": "发生火情请立即拨打119，用湿毛巾捂住口鼻、低姿沿楼梯撤离，不要乘坐电梯，不要返回取物。",
    "wires": "发现电线裸露或打火请远离现场，不要用手或金属物触碰，提醒他人绕行；如有人触电，先断电再施救。",
    "flood": "请立即关闭自家进水总阀并切断漏水区域电源，把贵重物品移到高处，通知楼下邻居。",
    "falling": "请立即远离可能坠落物的下方区域，提醒行人绕行，不要在下方停留或停车。",
    "violence": "请先确保自身安全，远离危险人员，立即拨打110报警。",
    "life_support": "停电时依赖呼吸机等设备的家人如有危险请立即拨打120；请同时联系供电抢修，并告知家中有需要持续供电的病人。",
})
GENERAL_ADVICE = "请先确保自身和家人安全，远离危险区域。"
NUMBERS = "火警 119 · 报警 110 · 急救 120"
_LINES = {"gas": "燃气抢修", "lift": "电梯救援", "property_duty": "物业值班", "water": "供水抢修",
          "power": "供电抢修"}


def emergency_text(reason: str | None, estate_settings: Mapping[str, Any] | None) -> str:
    """Safety advice and the numbers to call: 119/110/120 and the estate's own emergency lines."""
    lines = [ADVICE.get(reason or "", GENERAL_ADVICE), NUMBERS]
    emergency = (estate_settings or {}).get("emergency") or {}
    own = [f"{_LINES.get(k, k)} {v}" for k, v in emergency.items() if isinstance(v, str) and v]
    if own:
        lines.append(" · ".join(own))
    return "\n".join(lines)
