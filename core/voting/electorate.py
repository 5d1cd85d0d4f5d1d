"""Who votes and with what weight: the electorate of one estate, from its register rows.

Headcount follows the SPC interpretation on 建筑物区分所有权 (art. 9) as register-format.md puts it:
one owner_id is one person (co-owners share one id; a buyer of several premises is one person
whose area is the sum), and the developer's unsold premises together with every premises sold but
not yet delivered form ONE person, the developer, who votes under the owner_id of its own rows.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from core.register_file import OwnerKind, RegisterFileError, RegisterRow, RowProblem


@dataclass(frozen=True)
class Voter:
    owner_id: str
    area: Decimal
    premises: int  # register rows counted for this person
    developer: bool


@dataclass(frozen=True)
class Electorate:
    """Frozen when a vote opens: every later count uses these areas and persons."""

    estate: str
    voters: Mapping[str, Voter]
    total_area: Decimal
    developer_id: str | None
    # Buyers all of whose premises are undelivered: on the register, but voting through the developer.
    represented_by_developer: frozenset[str]

    @property
    def total_persons(self) -> int:
        return len(self.voters)


def build_electorate(rows: Sequence[RegisterRow], source: str = "register") -> Electorate:
    """The electorate of one estate; raises RegisterFileError naming the rows it cannot count."""
    if not rows:
        raise RegisterFileError([RowProblem(source, None, "", "名册中没有任何专有部分，无法计票")])
    problems: list[RowProblem] = []

    estate = rows[0].estate
    for r in rows:
        if r.estate != estate:
            problems.append(RowProblem(source, r.row_number, "estate",
                                       f"一次表决只针对一个小区：第{rows[0].row_number}行是 '{estate}'，此处是 '{r.estate}'"))

    developer_rows = [r for r in rows if r.owner_kind == OwnerKind.DEVELOPER]
    developer_id = developer_rows[0].owner_id if developer_rows else None
    for r in developer_rows:
        if r.owner_id != developer_id:
            problems.append(RowProblem(
                source, r.row_number, "owner_id",
                f"建设单位只能有一个业主编号（合计为一人）：第{developer_rows[0].row_number}行是 "
                f"'{developer_id}'，此处是 '{r.owner_id}'"))
    if developer_id is None:
        for r in rows:
            if not r.delivered:
                problems.append(RowProblem(
                    source, r.row_number, "delivered",
                    "未交付的专有部分计入建设单位，但名册中没有业主类型为“建设单位”的行，"
                    "无法确定建设单位以哪个业主编号表决"))
    if problems:
        raise RegisterFileError(problems)

    areas: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    listed: set[str] = set()
    for r in rows:
        listed.add(r.owner_id)
        to_developer = (r.owner_kind == OwnerKind.DEVELOPER or not r.delivered or r.owner_id == developer_id)
        person = developer_id if to_developer else r.owner_id
        assert person is not None  # undelivered rows without a developer were rejected above
        areas[person] = areas.get(person, Decimal(0)) + r.area
        counts[person] = counts.get(person, 0) + 1

    voters = {p: Voter(p, areas[p], counts[p], p == developer_id) for p in areas}
    return Electorate(
        estate=estate,
        voters=MappingProxyType(voters),
        total_area=sum(areas.values(), Decimal(0)),
        developer_id=developer_id,
        represented_by_developer=frozenset(listed - voters.keys()),
    )
