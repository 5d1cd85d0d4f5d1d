"""The counting rules of owners' votes (民法典 art. 278 para. 2), in exact arithmetic.

Areas are Decimal, ratios Fraction; no float ever enters a comparison, so a boundary such as
exactly 2/3 or exactly 1/2 is decided the way the law reads ("以上" includes it, "过半数" does not).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from core.register_file import Ballot, Choice, RegisterFileError, RowProblem
from core.voting.electorate import Electorate
from core.voting.matters import MatterType


@dataclass(frozen=True)
class Rule:
    quorum: Fraction    # of total area and of total persons, at least
    approval: Fraction  # of participating area and of participating persons
    strict: bool        # True: more than approval (过半数); False: at least approval (以上)

    def approves(self, ratio: Fraction | None) -> bool:
        if ratio is None:
            return False  # nobody took part: nothing is approved
        return ratio > self.approval if self.strict else ratio >= self.approval

    def reaches_quorum(self, ratio: Fraction) -> bool:
        return ratio >= self.quorum


QUORUM = Fraction(2, 3)
RULES: dict[MatterType, Rule] = {
    MatterType.ORDINARY: Rule(QUORUM, Fraction(1, 2), strict=True),
    MatterType.MAJOR: Rule(QUORUM, Fraction(3, 4), strict=False),
}


@dataclass(frozen=True)
class Count:
    area: Decimal
    persons: int


@dataclass(frozen=True)
class Verdict:
    matter_type: MatterType
    rule: Rule
    totals: Count
    participants: Count
    yes: Count
    no: Count
    abstain: Count
    quorum: bool
    approved_area: bool
    approved_persons: bool
    passed: bool
    # The exact fractions compared with the rule; approval ones are None when nobody took part.
    participation_area: Fraction
    participation_persons: Fraction
    approval_area: Fraction | None
    approval_persons: Fraction | None


def _count(electorate: Electorate, ids: Iterable[str]) -> Count:
    ids = list(ids)
    return Count(sum((electorate.voters[i].area for i in ids), Decimal(0)), len(ids))


def _ratio(part: Decimal | int, whole: Decimal | int) -> Fraction | None:
    return Fraction(part) / Fraction(whole) if whole else None


def count_votes(electorate: Electorate, choices: Mapping[str, Choice], matter_type: MatterType) -> Verdict:
    """The verdict from one choice per voting person (owner_ids must be in the electorate)."""
    unknown = [i for i in choices if i not in electorate.voters]
    if unknown:
        raise KeyError(f"not in the electorate: {', '.join(unknown)}")
    by_choice = {c: _count(electorate, (i for i, ch in choices.items() if ch == c)) for c in Choice}
    totals = Count(electorate.total_area, electorate.total_persons)
    return verdict_from_counts(totals, by_choice[Choice.YES], by_choice[Choice.NO],
                               by_choice[Choice.ABSTAIN], matter_type)


def verdict_from_counts(totals: Count, yes: Count, no: Count, abstain: Count,
                        matter_type: MatterType) -> Verdict:
    """The verdict from aggregate counts (e.g. summed in the database by choice)."""
    rule = RULES[matter_type]
    participants = Count(yes.area + no.area + abstain.area, yes.persons + no.persons + abstain.persons)
    participation_area = _ratio(participants.area, totals.area)
    participation_persons = _ratio(participants.persons, totals.persons)
    if participation_area is None or participation_persons is None:
        raise ValueError("the electorate is empty")
    approval_area = _ratio(yes.area, participants.area)
    approval_persons = _ratio(yes.persons, participants.persons)
    quorum = rule.reaches_quorum(participation_area) and rule.reaches_quorum(participation_persons)
    approved_area = rule.approves(approval_area)
    approved_persons = rule.approves(approval_persons)
    return Verdict(
        matter_type=matter_type, rule=rule, totals=totals, participants=participants,
        yes=yes, no=no, abstain=abstain,
        quorum=quorum, approved_area=approved_area, approved_persons=approved_persons,
        passed=quorum and approved_area and approved_persons,
        participation_area=participation_area, participation_persons=participation_persons,
        approval_area=approval_area, approval_persons=approval_persons,
    )


def latest_ballots(electorate: Electorate, ballots: Iterable[Ballot], source: str = "ballots") -> dict[str, Ballot]:
    """Each person's ballot that counts: the latest cast_at, and on a tie the later row of the file.

    A ballot from an owner_id the electorate does not hold is an error naming the row; all such
    rows are reported together.
    """
    latest: dict[str, Ballot] = {}
    problems: list[RowProblem] = []
    for b in ballots:
        if b.owner_id not in electorate.voters:
            if b.owner_id in electorate.represented_by_developer:
                msg = (f"'{b.owner_id}' 的专有部分均未交付，计入建设单位"
                       f"（业主编号 '{electorate.developer_id}'），不能单独表决")
            else:
                msg = f"'{b.owner_id}' 不在名册中"
            problems.append(RowProblem(source, b.row_number, "owner_id", msg))
            continue
        current = latest.get(b.owner_id)
        if current is None or (b.cast_at, b.row_number) >= (current.cast_at, current.row_number):
            latest[b.owner_id] = b
    if problems:
        raise RegisterFileError(problems)
    return latest


def tally(electorate: Electorate, ballots: Iterable[Ballot], matter_type: MatterType,
          source: str = "ballots") -> Verdict:
    """The verdict of a vote from the ballots file (non-voters simply do not take part)."""
    latest = latest_ballots(electorate, ballots, source)
    return count_votes(electorate, {i: b.choice for i, b in latest.items()}, matter_type)


# ---------------------------------------------------------------------------------------------
# Deemed votes: an estate's 业主大会议事规则 may count non-voters with the majority of those who
# voted. Off unless the estate's rule says so; where on, both tallies are shown.

@dataclass(frozen=True)
class DeemedTally:
    without: Verdict             # the ballots as cast
    with_deemed: Verdict         # non-voters added to the majority choice (same as without if none)
    deemed_choice: Choice | None  # None: no choice held a majority, so nobody was deemed
    deemed: Count                # the non-voters counted as deemed_choice


def majority_choice(verdict: Verdict) -> Choice | None:
    """The choice held by more than half of the participating area AND of participating persons.

    "The majority of those who voted" is read like the law's own 过半数, on both counts; when no
    choice has it (e.g. a split between area and persons) there is no majority to follow.
    """
    p = verdict.participants
    if p.persons == 0:
        return None
    for choice, c in ((Choice.YES, verdict.yes), (Choice.NO, verdict.no), (Choice.ABSTAIN, verdict.abstain)):
        if Fraction(c.area) / Fraction(p.area) > Fraction(1, 2) and Fraction(c.persons, p.persons) > Fraction(1, 2):
            return choice
    return None


def count_with_deemed(electorate: Electorate, choices: Mapping[str, Choice],
                      matter_type: MatterType) -> DeemedTally:
    without = count_votes(electorate, choices, matter_type)
    deemed_choice = majority_choice(without)
    if deemed_choice is None:
        return DeemedTally(without, without, None, Count(Decimal(0), 0))
    silent = [i for i in electorate.voters if i not in choices]
    completed = dict(choices) | {i: deemed_choice for i in silent}
    return DeemedTally(without, count_votes(electorate, completed, matter_type), deemed_choice,
                       _count(electorate, silent))


def tally_with_deemed(electorate: Electorate, ballots: Iterable[Ballot], matter_type: MatterType,
                      source: str = "ballots") -> DeemedTally:
    latest = latest_ballots(electorate, ballots, source)
    return count_with_deemed(electorate, {i: b.choice for i, b in latest.items()}, matter_type)


def deemed_from_counts(without: Verdict) -> DeemedTally:
    """The deemed-vote tally from an aggregate verdict: every non-voter joins the majority choice."""
    deemed_choice = majority_choice(without)
    silent = Count(without.totals.area - without.participants.area,
                   without.totals.persons - without.participants.persons)
    if deemed_choice is None:
        return DeemedTally(without, without, None, Count(Decimal(0), 0))

    def plus(c: Count, choice: Choice) -> Count:
        return Count(c.area + silent.area, c.persons + silent.persons) if choice == deemed_choice else c

    with_deemed = verdict_from_counts(without.totals, plus(without.yes, Choice.YES),
                                      plus(without.no, Choice.NO), plus(without.abstain, Choice.ABSTAIN),
                                      without.matter_type)
    return DeemedTally(without, with_deemed, deemed_choice, silent)
