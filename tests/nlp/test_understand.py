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


@pytest.mark.parametrize(("text", "intent"), [
    ("好的 回头聊", "greeting"),
    ("这个东西能帮我做什么", "greeting"),
    ("祝大家中秋快乐 阖家团圆", "greeting"),
    ("谢谢师傅 辛苦", "greeting"),
    ("我报修的那个进度能查一下吗", "progress"),
    ("麻烦帮我催一下楼道灯的事", "progress"),
    ("九成新儿童自行车 50块拿走", "other"),
    ("在3号楼门口捡到一串钥匙 失主到门岗认领", "other"),
    ("我表姐那个小区电梯天天坏 还是我们这好", "other"),
    ("你几岁了", "other"),
    ("小时候家里烧煤炉 冬天屋里全是烟", "other"),
])
def test_formulaic_intent_rules(text, intent):
    u = nlp.understand(text)
    assert u.intent == intent and u.intent_confidence >= rules.RULE_CONFIDENCE


@pytest.mark.parametrize("text", [
    "停车费凭什么一年涨两次 服务一点没变",
    "会所都关了半年 会所费还照收",
    "我家住一楼 为啥也要交电梯费",
])
def test_fee_called_unfair_is_a_fee_dispute(text):
    u = nlp.understand(text)
    assert (u.intent, u.category) == ("complaint", "fee_dispute")


def test_fee_question_stays_a_question():
    assert nlp.understand("物业费一平米多少钱 怎么交").intent == "fee_inquiry"


@pytest.mark.parametrize(("text", "category"), [
    ("楼道里全是烟 有焦糊味 好像哪家着火了 快来人", "fire_lane"),
    ("厨房一股煤气味 好浓 不敢开灯", "utilities"),
    ("水管爆了 家里水漫金山 快来关总阀", "water_leak"),
])
def test_danger_now_decides_its_category(text, category):
    u = nlp.understand(text)
    assert u.urgent and u.category == category


def test_burning_e_bike_is_left_to_the_charging_rule():
    assert rules.urgent_category("fire", "电动车充电起火了") is None
    assert rules.urgent_category("fire", "楼道着火了") == "fire_lane"
    assert rules.urgent_category(None, "楼道着火了") is None
