"""Routing from a category to a level, a department and an office queue."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.tickets.routing import (
    EstateOffices,
    HandlerLevel,
    QueueKind,
    TaxonomyError,
    UnknownCategory,
    default_taxonomy,
    route,
    rule_for,
    supervision_route,
    validate_overrides,
)

SPEC = Path("/work/shared/spec/taxonomy.yaml")
WITH_COMPANY = EstateOffices(district="HD", street_office_id=30, community_id=20, property_company_id=10)
NO_COMPANY = EstateOffices(district="HD", street_office_id=30, community_id=20, property_company_id=None)
P, C, ST = HandlerLevel.PROPERTY, HandlerLevel.COMMUNITY, HandlerLevel.STREET


@pytest.mark.parametrize("category, level, department, queue, office", [
    ("elevator", P, "market", QueueKind.PROPERTY_COMPANY, 10),
    ("water_leak", P, None, QueueKind.PROPERTY_COMPANY, 10),
    ("clutter", P, "law_enforcement", QueueKind.PROPERTY_COMPANY, 10),
    ("noise", ST, "police", QueueKind.STREET_OFFICE, 30),
    ("ev_charging", ST, "fire", QueueKind.STREET_OFFICE, 30),
    ("utilities", ST, "utility", QueueKind.STREET_OFFICE, 30),
    ("property_service", ST, "housing", QueueKind.STREET_OFFICE, 30),
    ("committee_affairs", ST, None, QueueKind.STREET_OFFICE, 30),
    ("neighbor_dispute", C, "mediation", QueueKind.COMMUNITY, 20),
    ("other", C, None, QueueKind.COMMUNITY, 20),
])
def test_default_routes(category: str, level: HandlerLevel, department: str | None, queue: QueueKind,
                        office: int) -> None:
    r = route(category, WITH_COMPANY)
    assert (r.level, r.department, r.queue, r.office_id, r.supervision) == (level, department, queue, office, False)
    assert r.matter_level is level and not r.stood_in


def test_no_property_company_sends_property_matters_to_the_community() -> None:
    r = route("sanitation", NO_COMPANY)
    assert (r.level, r.queue, r.office_id, r.matter_level) == (C, QueueKind.COMMUNITY, 20, P)
    assert r.stood_in
    assert route("elevator", NO_COMPANY).department == "market"  # the department stays


def test_no_property_company_leaves_street_matters_alone() -> None:
    r = route("noise", NO_COMPANY)
    assert (r.level, r.office_id, r.stood_in) == (ST, 30, False)


def test_district_override_changes_handler_and_department() -> None:
    overrides = {"HD": {"parking": {"handler": "street", "department": "law_enforcement"}}}
    r = route("parking", WITH_COMPANY, overrides=overrides)
    assert (r.level, r.department, r.office_id, r.matter_level) == (ST, "law_enforcement", 30, ST)
    other_district = EstateOffices("CY", 31, 21, 11)
    assert route("parking", other_district, overrides=overrides).level is P


def test_partial_override_keeps_the_rest() -> None:
    only_dept = {"HD": {"noise": {"department": "environment"}}}
    rule = rule_for("noise", "HD", overrides=only_dept)
    assert (rule.handler, rule.department) == (ST, "environment")
    only_level = {"HD": {"pets": {"handler": "community"}}}
    rule = rule_for("pets", "HD", overrides=only_level)
    assert (rule.handler, rule.department) == (C, "police")


def test_override_may_clear_the_department() -> None:
    rule = rule_for("elevator", "HD", overrides={"HD": {"elevator": {"department": None}}})
    assert (rule.handler, rule.department) == (P, None)


def test_override_to_property_in_an_estate_without_company_still_falls_back() -> None:
    overrides = {"HD": {"noise": {"handler": "property"}}}
    r = route("noise", NO_COMPANY, overrides=overrides)
    assert (r.level, r.office_id, r.matter_level, r.stood_in) == (C, 20, P, True)


@pytest.mark.parametrize("entry, message", [
    ({"handler": "district"}, "unknown handler level"),
    ({"department": "army"}, "unknown department"),
    ({"handler": "street", "dept": "fire"}, "unknown override keys"),
])
def test_bad_overrides_are_rejected(entry: dict, message: str) -> None:
    overrides = {"HD": {"noise": entry}}
    with pytest.raises(TaxonomyError, match=message):
        validate_overrides(overrides)
    with pytest.raises(TaxonomyError, match=message):
        route("noise", WITH_COMPANY, overrides=overrides)


def test_override_of_an_unknown_category_is_caught_at_load() -> None:
    with pytest.raises(TaxonomyError, match="unknown category"):
        validate_overrides({"HD": {"aliens": {"handler": "street"}}})
    validate_overrides({"HD": {"noise": {"handler": "community"}}})  # a good one passes


def test_unknown_category_is_refused() -> None:
    with pytest.raises(UnknownCategory):
        route("aliens", WITH_COMPANY)


def test_supervision_route_goes_to_the_street_office_of_the_estate() -> None:
    r = supervision_route(route("elevator", WITH_COMPANY), WITH_COMPANY)
    assert (r.queue, r.office_id, r.supervision, r.department, r.matter_level) == (
        QueueKind.STREET_OFFICE, 30, True, "market", P)


def test_loaded_taxonomy_matches_the_contract_exactly() -> None:
    """Every code of the shared spec, with its handler and department, read independently here."""
    line = re.compile(r"^\s+(\w+):\s+\{zh:\s*[^,]+,\s*handler:\s*(\w+),\s*department:\s*(\w+)\s*\}")
    expected = {m[1]: (m[2], None if m[3] == "null" else m[3])
                for m in map(line.match, SPEC.read_text(encoding="utf-8").splitlines()) if m}
    assert len(expected) == 22
    got = {code: (rule.handler.value, rule.department) for code, rule in default_taxonomy().categories.items()}
    assert got == expected
