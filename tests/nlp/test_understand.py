"""nlp.understand over the shipped model: the shape the chat relies on, and the hybrid's rules."""
import dataclasses

import pytest

import nlp
from nlp import rules
from nlp.understand import Understander, default_understander


def test_complaint_with_place_and_category():
    u = nlp.understand("5栋1门402卫生间往楼下漏水，楼下都渗了")
    assert u.intent == "complaint" and u.category == "water_leak"
    assert u.place == nlp.Place("5", "1", "402", None)
    assert not u.urgent and u.urgency_reason is None


def test_candidates_are_top_three_best_first():
    u = nlp.understand("楼下饭店的油烟太大了，窗户都不敢开")
    for candidates in (u.intent_candidates, u.category_candidates):
        assert len(candidates) == 3
        probs = [p for _, p in candidates]
        assert probs == sorted(probs, reverse=True) and sum(probs) <= 1.0 + 1e-6
    assert u.intent_candidates[0] == (u.intent, u.intent_confidence)
    assert u.category_candidates[0] == (u.category, u.category_confidence)


def test_non_complaint_has_no_category():
    u = nlp.understand("这个月物业费多少钱，怎么交")
    assert u.intent == "fee_inquiry"
    assert u.category is None and u.category_confidence is None
    assert u.confidence == u.intent_confidence


def test_urgent_message_is_a_complaint_with_reason():
    u = nlp.understand("楼道里好大一股煤气味 3号楼2单元")
    assert u.urgent and u.urgency_reason == "gas" and u.intent == "complaint"


def test_formulaic_greeting_rule_wins():
    u = nlp.understand("您好！")
    assert u.intent == "greeting" and u.intent_confidence >= rules.RULE_CONFIDENCE


def test_category_rule_puts_its_label_first():
    u = nlp.understand("楼下车都停在消防通道上了")
    assert u.category == "fire_lane" and u.category_confidence >= rules.RULE_CONFIDENCE


def test_low_confidence_is_visible(monkeypatch):
    strict = Understander(default_understander().classifier)
    monkeypatch.setattr(strict.classifier, "thresholds", {"intent": 1.01, "category": 1.01})
    assert strict("电梯坏了").low_confidence
    monkeypatch.setattr(strict.classifier, "thresholds", {"intent": 0.0, "category": 0.0})
    assert not strict("电梯坏了").low_confidence


def test_understanding_is_frozen():
    u = nlp.understand("你好")
    with pytest.raises(dataclasses.FrozenInstanceError):
        u.intent = "other"  # type: ignore[misc]
