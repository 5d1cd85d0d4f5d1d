"""The resident's rating of an answer (product.md §3 "Rating").

满意 and 基本满意 accept the answer. 不满意 reopens the ticket once; a further 不满意 (after the
reopened ticket was answered again) sends it to the street office for supervision (督办) instead of
reopening it again.
"""
from __future__ import annotations

from enum import StrEnum

MAX_REOPENS = 1


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"

    @property
    def zh(self) -> str:
        return _ZH[self]


_ZH = {Rating.SATISFIED: "满意", Rating.BASICALLY_SATISFIED: "基本满意", Rating.UNSATISFIED: "不满意"}
_BY_TEXT = {**{z: r for r, z in _ZH.items()}, **{r.value: r for r in Rating}}


class RatingOutcome(StrEnum):
    ACCEPTED = "accepted"    # the answer stands; the ticket can be closed
    REOPEN = "reopen"        # back to work, once
    ESCALATE = "escalate"    # to the street office for supervision


def parse_rating(text: str) -> Rating | None:
    """A button's code or the exact Chinese label; anything else is not a rating.

    Matching is exact on purpose: "不满意" contains "满意", and free text such as "还行吧" is a
    comment for a human to read, not a rating to guess.
    """
    return _BY_TEXT.get(text.strip())


def outcome(rating: Rating, reopens_so_far: int, max_reopens: int = MAX_REOPENS) -> RatingOutcome:
    if reopens_so_far < 0:
        raise ValueError("reopens_so_far must not be negative")
    if rating is not Rating.UNSATISFIED:
        return RatingOutcome.ACCEPTED
    return RatingOutcome.REOPEN if reopens_so_far < max_reopens else RatingOutcome.ESCALATE
