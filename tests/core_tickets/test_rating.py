"""Ratings: 满意 / 基本满意 / 不满意, reopening once, then escalating."""
from __future__ import annotations

import pytest

from core.tickets.rating import Rating, RatingOutcome, outcome, parse_rating


@pytest.mark.parametrize("text, rating", [
    ("满意", Rating.SATISFIED), ("基本满意", Rating.BASICALLY_SATISFIED), ("不满意", Rating.UNSATISFIED),
    (" 不满意 ", Rating.UNSATISFIED), ("unsatisfied", Rating.UNSATISFIED), ("satisfied", Rating.SATISFIED),
])
def test_parse(text: str, rating: Rating) -> None:
    assert parse_rating(text) is rating


@pytest.mark.parametrize("text", ["还行吧", "很满意", "不太满意", "", "5星"])
def test_free_text_is_not_a_rating(text: str) -> None:
    assert parse_rating(text) is None


def test_chinese_labels() -> None:
    assert [r.zh for r in Rating] == ["满意", "基本满意", "不满意"]


@pytest.mark.parametrize("rating", [Rating.SATISFIED, Rating.BASICALLY_SATISFIED])
def test_good_ratings_accept_the_answer_even_after_a_reopen(rating: Rating) -> None:
    assert outcome(rating, 0) is RatingOutcome.ACCEPTED
    assert outcome(rating, 1) is RatingOutcome.ACCEPTED


def test_unsatisfied_reopens_once_then_escalates() -> None:
    assert outcome(Rating.UNSATISFIED, 0) is RatingOutcome.REOPEN
    assert outcome(Rating.UNSATISFIED, 1) is RatingOutcome.ESCALATE
    assert outcome(Rating.UNSATISFIED, 2) is RatingOutcome.ESCALATE


def test_more_reopens_can_be_configured() -> None:
    assert outcome(Rating.UNSATISFIED, 1, max_reopens=2) is RatingOutcome.REOPEN


def test_negative_count_is_a_mistake() -> None:
    with pytest.raises(ValueError):
        outcome(Rating.UNSATISFIED, -1)
