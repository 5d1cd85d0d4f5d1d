"""The small rule modules added with the ticket services: redaction for hidden reporters, names and
emergency advice, configuration, and who sees which level."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from core.tickets.access import acting_role, sees
from core.tickets.catalog import category_name, emergency_text, short_category_name
from core.tickets.config import DEFAULT, ConfigError, load_config, parse_config
from core.tickets.lifecycle import ActorRole
from core.tickets.redact import redact_for_hidden_reporter
from core.tickets.routing import HandlerLevel
from core.tickets.sla import Clock
from core.roles import Actor, Grant, Place, Role, ScopeKind

R, L = ActorRole, HandlerLevel


@pytest.mark.parametrize("text, expected", [
    ("3号楼2单元501漏水", "3号楼2单元***漏水"),
    ("1-2-301楼上漏水", "1号楼***楼上漏水"),
    ("我家1101天天被吵", "我家***天天被吵"),
    ("楼上602室装修", "楼上***室装修"),
    ("我是张三，电话13812345678", "我是***，电话138****5678"),
    ("座机0471-6612345", "座机***"),
    ("2号楼101的王五，要求退费", "2号楼***的***，要求退费"),
    ("6号楼电梯坏了3天", "6号楼电梯坏了3天"),  # buildings and counts stay
    ("早上8:30到10:00停水", "早上8:30到10:00停水"),
])
def test_redaction_hides_rooms_phones_and_names(text: str, expected: str) -> None:
    assert redact_for_hidden_reporter(text) == expected


def test_names_and_emergency_advice() -> None:
    assert category_name("elevator") == "电梯故障或困人" and short_category_name("elevator") == "电梯故障"
    assert short_category_name("water_leak") == "漏水" and short_category_name("clutter") == "楼道堆物"
    text = emergency_text("gas", {"emergency": {"gas": "96777", "lift": "96333", "note": 3}})
    assert text.splitlines()[0].startswith("闻到燃气味请立即关闭燃气总阀")
    assert text.splitlines()[1:] == ["火警 119 · 报警 110 · 急救 120", "燃气抢修 96777 · 电梯救援 96333"]
    assert emergency_text(None, None).splitlines() == ["请先确保自身和家人安全，远离危险区域。",
                                                        "火警 119 · 报警 110 · 急救 120"]


def test_configuration_from_json(tmp_path: Path) -> None:
    assert load_config(None) is DEFAULT
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps({
        "sla": {"standard": {"amount": 3, "max_extension_workdays": 5}, "utilities": {"amount": 12}},
        "routing": {"D01": {"noise": {"handler": "community", "department": "mediation"}}},
        "retention_days": 90, "duplicate_window_hours": 24}), encoding="utf-8")
    c = load_config(path)
    assert (c.sla.standard.amount, c.sla.standard.max_extension_workdays, c.sla.standard.clock) == (3, 5,
                                                                                                    Clock.WORKDAYS)
    assert c.sla.utilities.amount == 12 and c.sla.urgent == DEFAULT.sla.urgent
    assert c.overrides["D01"]["noise"]["handler"] == "community"
    assert c.retention_days == 90 and c.duplicate_window == timedelta(hours=24) and c.rating_days == 7
    for bad in ({"routing": {"D01": {"nosuch": {"handler": "street"}}}},
                {"routing": {"D01": {"noise": {"handler": "mayor"}}}},
                {"sla": {"standard": {"clock": "moons"}}}, {"sla": {"standard": {"amount": 0}}},
                {"retention_days": 0}, {"colour": "red"}):
        with pytest.raises(ConfigError):
            parse_config(bad)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(tmp_path / "broken.json")


def test_levels_each_role_sees_and_acts_in() -> None:
    assert sees(R.PROPERTY_STAFF, L.PROPERTY, False) and not sees(R.PROPERTY_STAFF, L.STREET, False)
    assert sees(R.COMMUNITY_STAFF, L.PROPERTY, False) and not sees(R.COMMUNITY_STAFF, L.STREET, True)
    assert all(sees(R.STREET_STAFF, lv, False) for lv in L)
    assert not sees(R.STREET_STAFF, L.PROPERTY, False, queue_only=True)
    assert sees(R.STREET_STAFF, L.PROPERTY, True, queue_only=True)
    assert not sees(R.COMMUNITY_STAFF, L.PROPERTY, True, queue_only=True)
    assert not sees(R.RESIDENT, L.PROPERTY, False)
    place = Place(estate_id=1, community_id=2, street_office_id=3, district_id=4)
    both = Actor(9, (Grant(Role.PROPERTY_STAFF, ScopeKind.ESTATE, 1), Grant(Role.STREET_STAFF, ScopeKind.DISTRICT, 4)))
    assert acting_role(both, place, L.PROPERTY, False) is R.PROPERTY_STAFF  # their own level first
    assert acting_role(both, place, L.STREET, False) is R.STREET_STAFF
    assert acting_role(both, place, L.COMMUNITY, False) is R.STREET_STAFF  # the supervisor
    elsewhere = Actor(9, (Grant(Role.STREET_STAFF, ScopeKind.STREET_OFFICE, 99),))
    assert acting_role(elsewhere, place, L.STREET, False) is None
    committee = Actor(9, (Grant(Role.COMMITTEE, ScopeKind.ESTATE, 1), Grant(Role.ADMIN, ScopeKind.ALL, None)))
    assert acting_role(committee, place, L.PROPERTY, False) is None
