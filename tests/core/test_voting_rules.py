"""The counting rules of owners' votes, on small registers worked out by hand."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from itertools import count

import pytest

from core.register_file import Ballot, Channel, Choice, OwnerKind, RegisterFileError, RegisterRow, Use
from core.voting import (
    MATTERS,
    MatterType,
    build_electorate,
    count_votes,
    count_with_deemed,
    explain,
    explain_deemed,
    latest_ballots,
    matter,
    tally,
    verdict_json,
)

CST = timezone(timedelta(hours=8))
Y, N, A = Choice.YES, Choice.NO, Choice.ABSTAIN


class Register:
    """A register built row by row: premises numbered 101, 102, ... in building 1."""

    def __init__(self) -> None:
        self.rows: list[RegisterRow] = []
        self._room = count(101)

    def add(self, owner_id: str, area: str, kind: OwnerKind = OwnerKind.PERSON, delivered: bool = True,
            estate: str = "HY01") -> Register:
        self.rows.append(RegisterRow(
            estate=estate, building="1", unit=None, room=str(next(self._room)), use=Use.RESIDENTIAL,
            area_registered=Decimal(area), area_surveyed=None, area_contract=None, owner_id=owner_id,
            owner_name=owner_id, owner_kind=kind, delivered=delivered, phone=None, row_number=len(self.rows) + 2))
        return self

    def people(self, n: int, area: str, prefix: str = "P") -> Register:
        for i in range(1, n + 1):
            self.add(f"{prefix}{i}", area)
        return self


def ballots(*votes: tuple[str, Choice], start: datetime = datetime(2024, 6, 1, 9, tzinfo=CST)) -> list[Ballot]:
    return [Ballot(owner_id=o, choice=c, channel=Channel.ONLINE, cast_at=start + timedelta(minutes=i), proxy=None,
                   row_number=i + 2) for i, (o, c) in enumerate(votes)]


# ---- matters -----------------------------------------------------------------------------------

def test_nine_matters_of_article_278() -> None:
    assert [m.number for m in MATTERS] == list(range(1, 10))
    major = {m.number for m in MATTERS if m.type is MatterType.MAJOR}
    assert major == {6, 7, 8}
    assert matter("raise_maintenance_fund").title == "筹集建筑物及其附属设施的维修资金"
    assert matter("use_maintenance_fund").type is MatterType.ORDINARY
    assert len({m.code for m in MATTERS}) == 9
    with pytest.raises(KeyError):
        matter("nonsense")


# ---- electorate --------------------------------------------------------------------------------

def test_co_owners_and_multi_unit_owners_are_counted_once() -> None:
    reg = (Register()
           .add("C1", "90.00")        # one flat owned by 乙 and 丙: one id, one person
           .add("M1", "80.00").add("M1", "60.50").add("M1", "15.25")  # one buyer, three premises
           .add("P1", "100.00"))
    e = build_electorate(reg.rows)
    assert e.total_persons == 3
    assert e.total_area == Decimal("345.75")
    assert e.voters["M1"].area == Decimal("155.75") and e.voters["M1"].premises == 3
    assert e.voters["C1"].area == Decimal("90.00")
    v = tally(e, ballots(("M1", Y)), MatterType.ORDINARY)
    assert (v.participants.persons, v.participants.area) == (1, Decimal("155.75"))


def test_developer_stock_and_undelivered_sales_are_one_person() -> None:
    reg = (Register()
           .add("DEV", "100.00", OwnerKind.DEVELOPER, delivered=False)
           .add("DEV", "120.00", OwnerKind.DEVELOPER, delivered=True)   # unsold, handed to no one
           .add("B1", "90.00", delivered=False)                        # sold, not yet delivered
           .add("B2", "70.00", delivered=False).add("B2", "75.00")     # one of two delivered
           .add("P1", "80.00"))
    e = build_electorate(reg.rows)
    assert e.developer_id == "DEV"
    assert e.total_persons == 3  # DEV, B2, P1
    assert e.voters["DEV"].area == Decimal("380.00") and e.voters["DEV"].developer
    assert e.voters["B2"].area == Decimal("75.00")
    assert e.represented_by_developer == frozenset({"B1"})
    assert e.total_area == Decimal("535.00")


def test_undelivered_rows_without_a_developer_row_are_rejected() -> None:
    reg = Register().add("P1", "80.00").add("B1", "90.00", delivered=False).add("B2", "90.00", delivered=False)
    with pytest.raises(RegisterFileError) as exc:
        build_electorate(reg.rows, source="roster.csv")
    assert [(p.source, p.row, p.column) for p in exc.value.problems] == [
        ("roster.csv", 3, "delivered"), ("roster.csv", 4, "delivered")]
    assert "建设单位" in exc.value.problems[0].message


def test_two_developer_ids_are_rejected() -> None:
    reg = Register().add("D1", "80.00", OwnerKind.DEVELOPER).add("P1", "80.00").add("D2", "80.00", OwnerKind.DEVELOPER)
    with pytest.raises(RegisterFileError) as exc:
        build_electorate(reg.rows)
    assert [(p.row, p.column) for p in exc.value.problems] == [(4, "owner_id")]
    assert "'D1'" in exc.value.problems[0].message and "'D2'" in exc.value.problems[0].message


def test_one_vote_one_estate() -> None:
    reg = Register().add("P1", "80.00").add("P2", "80.00", estate="HY02")
    with pytest.raises(RegisterFileError) as exc:
        build_electorate(reg.rows)
    assert [(p.row, p.column) for p in exc.value.problems] == [(3, "estate")]


def test_empty_register_is_rejected() -> None:
    with pytest.raises(RegisterFileError):
        build_electorate([])


# ---- quorum ------------------------------------------------------------------------------------

def test_area_passes_but_headcount_fails() -> None:
    # Total 700 m², 4 persons; all take part. The big owner says yes: 400/700 > 1/2, but 1/4 persons.
    e = build_electorate(Register().add("BIG", "400.00").people(3, "100.00").rows)
    v = tally(e, ballots(("BIG", Y), ("P1", N), ("P2", N), ("P3", N)), MatterType.ORDINARY)
    assert v.quorum
    assert v.approval_area == Fraction(4, 7) and v.approval_persons == Fraction(1, 4)
    assert (v.approved_area, v.approved_persons, v.passed) == (True, False, False)


def test_quorum_fails_on_headcount_despite_unanimity() -> None:
    # One owner of 700 m² of 1000 m² votes yes; 3 others stay away: area 7/10 ≥ 2/3, persons 1/4 < 2/3.
    e = build_electorate(Register().add("BIG", "700.00").people(3, "100.00").rows)
    v = tally(e, ballots(("BIG", Y)), MatterType.ORDINARY)
    assert v.participation_area == Fraction(7, 10) and v.participation_persons == Fraction(1, 4)
    assert (v.quorum, v.approved_area, v.approved_persons, v.passed) == (False, True, True, False)


def test_quorum_boundary_exactly_two_thirds_counts() -> None:
    e = build_electorate(Register().people(3, "100.00").rows)
    v = tally(e, ballots(("P1", Y), ("P2", Y)), MatterType.ORDINARY)
    assert v.participation_area == Fraction(2, 3) and v.participation_persons == Fraction(2, 3)
    assert v.quorum and v.passed
    # 2/3 of 300.01 m² is 200.0066…: 200.00 falls short by a hair, so the area quorum fails.
    e = build_electorate(Register().people(2, "100.00").add("P3", "100.01").rows)
    v = tally(e, ballots(("P1", Y), ("P2", Y)), MatterType.ORDINARY)
    assert not v.quorum and v.participation_persons == Fraction(2, 3)


def test_developer_stock_blocks_the_area_quorum() -> None:
    # The developer holds 600 m² unsold and 100 m² sold but undelivered; six owners of 100 m² each.
    reg = Register()
    for _ in range(3):
        reg.add("DEV", "200.00", OwnerKind.DEVELOPER, delivered=False)
    reg.add("BUYER", "100.00", delivered=False).people(6, "100.00", prefix="O")
    e = build_electorate(reg.rows)
    assert (e.total_area, e.total_persons) == (Decimal("1300.00"), 7)
    everyone = [(f"O{i}", Y) for i in range(1, 7)]
    v = tally(e, ballots(*everyone), MatterType.ORDINARY)
    assert v.participation_area == Fraction(600, 1300) and v.participation_persons == Fraction(6, 7)
    assert (v.quorum, v.approved_area, v.approved_persons, v.passed) == (False, True, True, False)
    # When the developer takes part, under its own owner_id, the quorum is reached.
    v = tally(e, ballots(*everyone, ("DEV", N)), MatterType.ORDINARY)
    assert v.quorum and v.participants == v.totals
    assert v.yes.area == Decimal("600.00") and not v.approved_area  # 600/1300 is not more than half
    # The undelivered buyer votes through the developer, never alone.
    with pytest.raises(RegisterFileError) as exc:
        tally(e, ballots(("BUYER", Y)), MatterType.ORDINARY, source="ballots.csv")
    assert "未交付" in exc.value.problems[0].message and "'DEV'" in exc.value.problems[0].message


# ---- approval ----------------------------------------------------------------------------------

def test_exactly_three_quarters_passes_a_major_matter_and_one_fewer_fails() -> None:
    e = build_electorate(Register().people(8, "100.00").rows)
    six = tally(e, ballots(*[(f"P{i}", Y) for i in range(1, 7)], ("P7", N), ("P8", A)), MatterType.MAJOR)
    assert six.approval_area == Fraction(3, 4) and six.approval_persons == Fraction(3, 4)
    assert (six.quorum, six.approved_area, six.approved_persons, six.passed) == (True, True, True, True)
    five = tally(e, ballots(*[(f"P{i}", Y) for i in range(1, 6)], ("P6", N), ("P7", N), ("P8", A)), MatterType.MAJOR)
    assert five.approval_area == Fraction(5, 8)
    assert (five.approved_area, five.approved_persons, five.passed) == (False, False, False)


def test_three_quarters_of_area_alone_is_not_enough_for_a_major_matter() -> None:
    # 300 of 400 m² say yes (exactly 3/4) but only 1 of 2 persons.
    e = build_electorate(Register().add("A", "300.00").add("B", "100.00").rows)
    v = tally(e, ballots(("A", Y), ("B", N)), MatterType.MAJOR)
    assert (v.approved_area, v.approved_persons, v.passed) == (True, False, False)


def test_exactly_half_of_the_participating_area_fails_an_ordinary_matter() -> None:
    e = build_electorate(Register().add("A", "50.00").add("B", "50.00").add("C", "100.00").rows)
    v = tally(e, ballots(("A", Y), ("B", Y), ("C", N)), MatterType.ORDINARY)
    assert v.approval_area == Fraction(1, 2) and v.approval_persons == Fraction(2, 3)
    assert (v.quorum, v.approved_area, v.approved_persons, v.passed) == (True, False, True, False)
    # One hundredth of a square metre more is more than half.
    e = build_electorate(Register().add("A", "50.01").add("B", "50.00").add("C", "100.00").rows)
    v = tally(e, ballots(("A", Y), ("B", Y), ("C", N)), MatterType.ORDINARY)
    assert v.approval_area == Fraction(10001, 20001) and v.passed


def test_abstentions_are_participants() -> None:
    # 2 yes, 1 no, 1 abstain of four equal flats: 2/4 is not more than half (it would be 2/3
    # if abstentions were left out).
    e = build_electorate(Register().people(4, "80.00").rows)
    v = tally(e, ballots(("P1", Y), ("P2", Y), ("P3", N), ("P4", A)), MatterType.ORDINARY)
    assert v.participants.persons == 4 and v.abstain == type(v.abstain)(Decimal("80.00"), 1)
    assert v.approval_persons == Fraction(1, 2) and not v.passed


def test_nobody_voting() -> None:
    e = build_electorate(Register().people(3, "80.00").rows)
    v = tally(e, [], MatterType.ORDINARY)
    assert (v.quorum, v.approved_area, v.approved_persons, v.passed) == (False, False, False, False)
    assert v.approval_area is None and v.participation_area == 0
    assert "无人参与表决" in explain(v)


# ---- ballots -----------------------------------------------------------------------------------

def test_latest_ballot_counts_and_ties_go_to_the_later_row() -> None:
    e = build_electorate(Register().people(3, "100.00").rows)
    t = datetime(2024, 6, 1, 10, tzinfo=CST)
    bs = [
        Ballot("P1", Y, Channel.PAPER, t + timedelta(hours=1), None, 2),   # later in time, earlier in file
        Ballot("P1", N, Channel.ONLINE, t, None, 3),
        Ballot("P2", N, Channel.ONLINE, t, None, 4),
        Ballot("P2", Y, Channel.PAPER, t, "代理人", 5),                      # same time: the later row wins
        # 02:30 UTC is 10:30 in Beijing, later than 10:00 Beijing, though "02:30" < "10:00".
        Ballot("P3", Y, Channel.ONLINE, t, None, 6),
        Ballot("P3", N, Channel.ONLINE, datetime(2024, 6, 1, 2, 30, tzinfo=timezone.utc), None, 7),
    ]
    latest = latest_ballots(e, bs)
    assert {i: (b.choice, b.row_number) for i, b in latest.items()} == {"P1": (Y, 2), "P2": (Y, 5), "P3": (N, 7)}
    v = tally(e, bs, MatterType.ORDINARY)
    assert (v.yes.persons, v.no.persons, v.participants.persons) == (2, 1, 3)


def test_unknown_owner_names_file_and_row() -> None:
    e = build_electorate(Register().people(2, "100.00").rows)
    with pytest.raises(RegisterFileError) as exc:
        tally(e, ballots(("P1", Y), ("X9", N), ("P2", Y), ("X8", Y)), MatterType.ORDINARY, source="ballots.csv")
    assert [str(p) for p in exc.value.problems] == [
        "ballots.csv 第3行 业主编号: 'X9' 不在名册中",
        "ballots.csv 第5行 业主编号: 'X8' 不在名册中",
    ]


def test_count_votes_refuses_unknown_persons() -> None:
    e = build_electorate(Register().people(2, "100.00").rows)
    with pytest.raises(KeyError):
        count_votes(e, {"X": Y}, MatterType.ORDINARY)


# ---- deemed votes (off by default) -------------------------------------------------------------

def test_deemed_votes_follow_the_majority_and_both_tallies_are_kept() -> None:
    # 10 flats of 100 m²; 7 vote: 5 yes, 2 no. Major matter: 5/7 < 3/4 fails as cast; with the
    # three non-voters counted with the majority ("yes"), 8/10 ≥ 3/4 passes.
    e = build_electorate(Register().people(10, "100.00").rows)
    choices = {"P1": Y, "P2": Y, "P3": Y, "P4": Y, "P5": Y, "P6": N, "P7": N}
    d = count_with_deemed(e, choices, MatterType.MAJOR)
    assert d.deemed_choice is Y and (d.deemed.persons, d.deemed.area) == (3, Decimal("300.00"))
    assert d.without.approval_persons == Fraction(5, 7) and not d.without.passed
    assert d.with_deemed.approval_persons == Fraction(4, 5) and d.with_deemed.passed
    assert d.with_deemed.participants == d.with_deemed.totals
    # Off by default: the plain tally is the one without deemed votes.
    assert count_votes(e, choices, MatterType.MAJOR) == d.without
    text = explain_deemed(d)
    assert "未表决业主 3 人" in text and "同意" in text


def test_deemed_votes_can_complete_the_quorum_with_no() -> None:
    e = build_electorate(Register().people(6, "100.00").rows)
    d = count_with_deemed(e, {"P1": N, "P2": N, "P3": Y}, MatterType.ORDINARY)
    assert not d.without.quorum
    assert d.deemed_choice is N and d.with_deemed.quorum and not d.with_deemed.passed
    assert d.with_deemed.no.persons == 5


def test_no_majority_means_nobody_is_deemed() -> None:
    # Area says yes (200 of 300), persons say no (2 of 3): no choice has a double majority.
    e = build_electorate(Register().add("A", "200.00").add("B", "50.00").add("C", "50.00").people(3, "10.00").rows)
    d = count_with_deemed(e, {"A": Y, "B": N, "C": N}, MatterType.ORDINARY)
    assert d.deemed_choice is None and d.with_deemed == d.without and d.deemed.persons == 0
    assert "结果同上" in explain_deemed(d)


# ---- output ------------------------------------------------------------------------------------

def test_json_and_chinese_arithmetic() -> None:
    e = build_electorate(Register().add("A", "300.10").add("B", "100.00").add("C", "100.00").rows)
    v = tally(e, ballots(("A", Y), ("B", N)), MatterType.MAJOR)
    assert verdict_json(v) == {
        "totals": {"area": "500.10", "persons": 3},
        "participants": {"area": "400.10", "persons": 2},
        "yes": {"area": "300.10", "persons": 1},
        "quorum": True, "approved_area": True, "approved_persons": False, "passed": False,
    }
    text = explain(v)
    # 400.10/500.10 = 80.004…% shows as 80.00%; 2/3 shows as 66.67% and is reached.
    assert "参与表决面积 400.10㎡，占总面积 80.00%（400.10/500.10，≥2/3，达到）" in text
    assert "参与表决人数 2 人，占总人数 66.67%（2/3，≥2/3，达到）" in text
    assert "同意面积 300.10㎡，占参与表决面积 75.01%（300.10/400.10，≥3/4，达到）" in text
    assert "同意人数 1 人，占参与表决人数 50.00%（1/2，≥3/4，未达到）" in text
    assert text.endswith("结论：未通过（同意人数未达到要求）。")


def test_ordinary_threshold_is_worded_as_more_than_half() -> None:
    e = build_electorate(Register().people(3, "100.00").rows)
    text = explain(tally(e, ballots(("P1", Y), ("P2", Y), ("P3", N)), MatterType.ORDINARY))
    assert "过半数，>1/2" in text and text.endswith("结论：通过。")
