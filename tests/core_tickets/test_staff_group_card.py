"""The staff group's card and button data, as pure functions."""
from __future__ import annotations

from core.tickets.staff_group import Op, Pressed, button_data, card_view, parse_data


def _payload(status: str = "new", **ticket: object) -> dict[str, object]:
    t = {"number": "YG261123-0007", "status": status, "urgent": False, "category_name": "电梯故障或困人",
         "estate": "阳光花园", "place": "6号楼", "description": "电梯停在8楼，电话138****5678",
         "answer_due_text": "11月30日（周一）", "supervised": False, **ticket}
    return {"ticket": t, "event": {"action": "create", "action_name": "新工单", "reason": None}}


def test_button_data_round_trips_within_telegram_limit() -> None:
    longest = button_data(Op.DEPARTMENT, 2_147_483_647, "d" * 32)
    assert len(longest.encode()) <= 64
    assert parse_data(longest) == Pressed(Op.DEPARTMENT, 2_147_483_647, "d" * 32)
    assert parse_data(button_data(Op.ACCEPT, 12)) == Pressed(Op.ACCEPT, 12)
    for bad in ("tkok", "sg:a", "sg:a:x", "sg:zz:1", "sg:dd:1", "sg:a:1:environment", "sg:a:1:2:3", ""):
        assert parse_data(bad) is None, bad


def test_card_shows_status_and_buttons_while_open() -> None:
    view = card_view(_payload(urgent=True, supervised=True), 7)
    lines = view.text.split("\n")
    assert lines[0] == "【紧急】工单 YG261123-0007 · 待受理"
    assert "地点：阳光花园 6号楼" in lines and "内容：电梯停在8楼，电话138****5678" in lines
    assert "答复期限：11月30日（周一）" in lines and "督办：街道督办中" in lines and "最新：新工单" in lines
    assert [[label for label, _ in row] for row in view.buttons] == [["受理", "回复"], ["转派", "退单", "办结"]]
    assert view.buttons[0][0][1] == "sg:a:7"


def test_finished_card_has_no_buttons() -> None:
    view = card_view(_payload("closed"), 7)
    assert view.buttons == [] and view.text.startswith("工单 YG261123-0007 · 已办结")
    assert "回复（引用）" not in view.text
