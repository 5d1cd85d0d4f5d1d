"""The matters owners decide together (民法典 art. 278) and which counting rule each takes."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MatterType(StrEnum):
    # Art. 278 para. 2: items 6-8 need 3/4 of the participating area and persons ("major");
    # the other items need more than half of both ("ordinary").
    ORDINARY = "ordinary"
    MAJOR = "major"


@dataclass(frozen=True)
class Matter:
    number: int  # item number in 民法典 art. 278 para. 1
    code: str
    title: str
    type: MatterType


MATTERS: tuple[Matter, ...] = (
    Matter(1, "rules_of_procedure", "制定和修改业主大会议事规则", MatterType.ORDINARY),
    Matter(2, "management_statute", "制定和修改管理规约", MatterType.ORDINARY),
    Matter(3, "committee_election", "选举业主委员会或者更换业主委员会成员", MatterType.ORDINARY),
    Matter(4, "property_manager", "选聘和解聘物业服务企业或者其他管理人", MatterType.ORDINARY),
    Matter(5, "use_maintenance_fund", "使用建筑物及其附属设施的维修资金", MatterType.ORDINARY),
    Matter(6, "raise_maintenance_fund", "筹集建筑物及其附属设施的维修资金", MatterType.MAJOR),
    Matter(7, "rebuild", "改建、重建建筑物及其附属设施", MatterType.MAJOR),
    Matter(8, "common_parts_use", "改变共有部分的用途或者利用共有部分从事经营活动", MatterType.MAJOR),
    Matter(9, "other_major_matter", "有关共有和共同管理权利的其他重大事项", MatterType.ORDINARY),
)

_BY_CODE = {m.code: m for m in MATTERS}


def matter(code: str) -> Matter:
    """The matter with this code; KeyError names the known codes."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown matter code {code!r}; known: {', '.join(_BY_CODE)}") from None
