"""Owners' votes (民法典 art. 278): the electorate, the counting rules and the verdict."""
from core.register_file import Ballot, Channel, Choice
from core.voting.electorate import Electorate, Voter, build_electorate
from core.voting.matters import MATTERS, Matter, MatterType, matter
from core.voting.report import explain, explain_deemed, verdict_json
from core.voting.rules import (
    RULES,
    Count,
    DeemedTally,
    Rule,
    Verdict,
    count_votes,
    count_with_deemed,
    deemed_from_counts,
    latest_ballots,
    majority_choice,
    tally,
    tally_with_deemed,
    verdict_from_counts,
)

__all__ = [
    "MATTERS", "RULES", "Ballot", "Channel", "Choice", "Count", "DeemedTally", "Electorate", "Matter",
    "MatterType", "Rule", "Verdict", "Voter", "build_electorate", "count_votes", "count_with_deemed", "deemed_from_counts",
    "explain", "explain_deemed", "latest_ballots", "majority_choice", "matter", "tally",
    "tally_with_deemed", "verdict_from_counts", "verdict_json",
]
