"""The label contract read from nlp/taxonomy.yaml."""
import pytest

from nlp import taxonomy

CONTRACT_CATEGORIES = {
    "elevator", "water_leak", "public_lighting", "facility_damage", "sanitation", "greening",
    "security_order", "parking", "clutter", "ev_charging", "fire_lane", "illegal_construction",
    "structural_alteration", "cooking_fumes", "noise", "pets", "utilities", "fee_dispute",
    "property_service", "committee_affairs", "neighbor_dispute", "other",
}


def test_contract_codes_present():
    assert set(taxonomy.INTENTS) == {"complaint", "fee_inquiry", "vote", "progress", "notice",
                                      "greeting", "other"}
    assert CONTRACT_CATEGORIES <= set(taxonomy.CATEGORIES)
    assert set(taxonomy.HANDLER_LEVELS) == {"property", "community", "street"}
    assert "law_enforcement" in taxonomy.DEPARTMENTS


def test_routing_of_a_category():
    lane = taxonomy.category("fire_lane")
    assert (lane.handler, lane.department) == ("street", "fire")
    assert lane.zh.startswith("占用堵塞消防通道")
    assert taxonomy.category("water_leak").department is None
    with pytest.raises(KeyError):
        taxonomy.category("no_such_code")


def test_parser_reads_flow_mappings_and_comments(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "# comment\nintents:\n  complaint: 投诉 # trailing comment\n"
        "handler_levels:\n  street: 街道\ndepartments:\n  fire: 消防\n"
        "categories:\n  fire_lane: {zh: 消防通道、设施, handler: street, department: fire}\n"
        "  other: {zh: 其他, handler: street, department: null}\n", encoding="utf-8")
    t = taxonomy.load(path)
    assert t.intents == {"complaint": "投诉"}
    assert t.categories["fire_lane"] == taxonomy.Category("fire_lane", "消防通道、设施", "street", "fire")
    assert t.categories["other"].department is None


def test_parser_refuses_unknown_handler(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("intents:\n  a: b\nhandler_levels:\n  street: s\ndepartments:\n  fire: f\n"
                    "categories:\n  x: {zh: y, handler: nowhere, department: null}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown handler"):
        taxonomy.load(path)
