"""Turnout by building (core.voting.turnout), worked by hand, and the 2/3 quorum boundary."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from core.voting.turnout import Share, by_building


def test_turnout_by_building_counts_each_building_of_a_voter_and_the_estate_once() -> None:
    voters = [(["1"], Decimal("100.00"), True), (["1"], Decimal("50.00"), False),
              (["2", "S"], Decimal("120.00"), True), (["10"], Decimal("30.00"), False)]
    t = by_building(voters, Decimal("300.00"), 4)
    assert [b.building for b in t.buildings] == ["1", "2", "10", "S"]
    one, two, ten, shop = (b.share for b in t.buildings)
    assert one == Share(Decimal("150.00"), 2, Decimal("100.00"), 1)
    assert one.area_ratio == Fraction(2, 3) and one.persons_ratio == Fraction(1, 2) and not one.reaches_quorum
    assert two == shop == Share(Decimal("120.00"), 1, Decimal("120.00"), 1)
    assert ten.voted_persons == 0 and ten.area_ratio == 0
    # The estate row is the frozen electorate: the two-building voter counts once.
    assert t.estate == Share(Decimal("300.00"), 4, Decimal("220.00"), 2)


def test_quorum_includes_exactly_two_thirds_of_area_and_headcount() -> None:
    assert Share(Decimal("300.00"), 3, Decimal("200.00"), 2).reaches_quorum
    assert not Share(Decimal("300.00"), 3, Decimal("199.99"), 2).reaches_quorum
    assert not Share(Decimal("300.00"), 3, Decimal("300.00"), 1).reaches_quorum
    assert not Share(Decimal("0"), 0, Decimal("0"), 0).reaches_quorum
