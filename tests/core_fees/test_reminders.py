"""Reminder rules on a frozen clock (every `now` is a fixed time in the estate's zone) and wording."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from core.fees import (
    Arrears,
    ChatKind,
    Charge,
    Household,
    Payment,
    Period,
    Reason,
    ReductionCategory,
    SentReminder,
    check_wording,
    compose,
    decide,
    statement,
)
from core.fees.reminders import FORBIDDEN_PHRASES, FORBIDDEN_PHRASES_EN, TEMPLATES

TZ = ZoneInfo("Asia/Shanghai")
Q1, Q2 = Period.parse("2025-Q1"), Period.parse("2025-Q2")
HOME = Household("HY01-3-2-501", "3号楼2单元501", contact="0472-1234567")
OWES = Arrears(D("80.43"), (Q1,))
PAID = Arrears(D("0"), ())


def at(y, mo, d, h, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


def sent(when: datetime, period: Period = Q2, key: str = HOME.premises_key) -> SentReminder:
    return SentReminder(key, period, when)


def test_sends_to_a_household_in_arrears_in_private_by_day():
    d = decide(HOME, OWES, [], at(2025, 5, 12, 10), Q2, chat=ChatKind.PRIVATE)
    assert (d.send, d.reason) == (True, Reason.SEND)


@pytest.mark.parametrize("now,next_allowed", [
    (at(2025, 5, 12, 21, 0), at(2025, 5, 13, 8)),    # 21:00 is quiet: next morning
    (at(2025, 5, 12, 23, 59), at(2025, 5, 13, 8)),
    (at(2025, 5, 13, 0, 0), at(2025, 5, 13, 8)),
    (at(2025, 5, 13, 7, 59), at(2025, 5, 13, 8)),    # same morning
])
def test_quiet_hours(now, next_allowed):
    d = decide(HOME, OWES, [], now, Q2, chat=ChatKind.PRIVATE)
    assert (d.send, d.reason, d.next_allowed) == (False, Reason.QUIET_HOURS, next_allowed)


@pytest.mark.parametrize("now", [at(2025, 5, 13, 8, 0), at(2025, 5, 12, 20, 59)])
def test_edges_of_quiet_hours_are_allowed(now):
    assert decide(HOME, OWES, [], now, Q2, chat=ChatKind.PRIVATE).send


def test_at_most_one_a_week():
    history = [sent(at(2025, 5, 5, 10))]
    # 6 days 23 h 59 min later: refused until exactly 7 × 24 h
    d = decide(HOME, OWES, history, at(2025, 5, 12, 9, 59), Q2, chat=ChatKind.PRIVATE)
    assert (d.send, d.reason, d.next_allowed) == (False, Reason.WEEKLY_LIMIT, at(2025, 5, 12, 10))
    assert decide(HOME, OWES, history, at(2025, 5, 12, 10), Q2, chat=ChatKind.PRIVATE).send


def test_weekly_limit_also_counts_the_previous_period():
    # Sent on 28 March (Q1); on 1 April (Q2) the week has not passed.
    d = decide(HOME, OWES, [sent(at(2025, 3, 28, 15), Q1)], at(2025, 4, 1, 10), Q2, chat=ChatKind.PRIVATE)
    assert (d.reason, d.next_allowed) == (Reason.WEEKLY_LIMIT, at(2025, 4, 4, 15))


def test_weekly_limit_ending_in_quiet_hours_waits_for_morning():
    # A reminder recorded at 07:30 on 5 May: the week ends 07:30 on 12 May, inside quiet hours.
    d = decide(HOME, OWES, [sent(at(2025, 5, 5, 7, 30))], at(2025, 5, 11, 12), Q2, chat=ChatKind.PRIVATE)
    assert (d.reason, d.next_allowed) == (Reason.WEEKLY_LIMIT, at(2025, 5, 12, 8))


def test_at_most_three_per_period():
    history = [sent(at(2025, 4, 7, 10)), sent(at(2025, 4, 14, 10)), sent(at(2025, 4, 21, 10))]
    d = decide(HOME, OWES, history, at(2025, 5, 12, 10), Q2, chat=ChatKind.PRIVATE)
    assert (d.send, d.reason, d.next_allowed) == (False, Reason.PERIOD_LIMIT, None)
    # Two in this period is still fine
    assert decide(HOME, OWES, history[:2], at(2025, 5, 12, 10), Q2, chat=ChatKind.PRIVATE).send
    # Three in the previous period do not count towards this one
    earlier = [sent(at(2025, 3, 3, 10), Q1), sent(at(2025, 3, 10, 10), Q1), sent(at(2025, 3, 17, 10), Q1)]
    assert decide(HOME, OWES, earlier, at(2025, 4, 14, 10), Q2, chat=ChatKind.PRIVATE).send


def test_other_premises_history_does_not_count():
    history = [sent(at(2025, 5, 11, 10), key="HY01-3-2-502")]
    assert decide(HOME, OWES, history, at(2025, 5, 12, 10), Q2, chat=ChatKind.PRIVATE).send


def test_no_reminder_to_a_fully_paid_household():
    charges = [Charge(Q1, D("80.43"), date(2025, 1, 31))]
    st = statement(charges, [Payment(D("80.43"), date(2025, 1, 20))], as_of=date(2025, 5, 12))
    arrears = Arrears.of(st)
    assert arrears.amount == 0
    d = decide(HOME, arrears, [], at(2025, 5, 12, 10), Q2, chat=ChatKind.PRIVATE)
    assert (d.send, d.reason) == (False, Reason.NO_ARREARS)
    with pytest.raises(ValueError):
        compose(HOME, PAID)


def test_arrears_from_a_statement():
    charges = [Charge(Q1, D("80.43"), date(2025, 1, 31)), Charge(Q2, D("80.43"), date(2025, 5, 1))]
    st = statement(charges, [Payment(D("20.00"), date(2025, 1, 20))], as_of=date(2025, 5, 12))
    # 60.43 of Q1 and 80.43 of Q2 are overdue: 140.86
    assert Arrears.of(st) == Arrears(D("140.86"), (Q1, Q2))


def test_nothing_in_groups():
    d = decide(HOME, OWES, [], at(2025, 5, 12, 10), Q2, chat=ChatKind.GROUP)
    assert (d.send, d.reason) == (False, Reason.GROUP_CHAT)


def test_time_without_a_zone_is_refused():
    with pytest.raises(ValueError):
        decide(HOME, OWES, [], datetime(2025, 5, 12, 10), Q2, chat=ChatKind.PRIVATE)


# --- wording ---------------------------------------------------------------------------------

SAMPLE = {"address": "3号楼2单元501", "amount": "80.43元", "periods": "2025年第1季度",
          "contact": "0472-1234567", "category": "低保户"}


@pytest.mark.parametrize("lang,key", [(lang, key) for lang, t in TEMPLATES.items() for key in t])
def test_every_template_is_polite(lang, key):
    assert check_wording(TEMPLATES[lang][key].format(**SAMPLE)) == []


HOUSEHOLDS = [Household("k", "3号楼2单元501", reduction=r, reduction_flagged=f, contact=c)
              for r, f, c in product([None, ReductionCategory.DIBAO, ReductionCategory.TEKUN], [False, True],
                                     ["", "0472-1234567"])]


@pytest.mark.parametrize("household,lang", list(product(HOUSEHOLDS, ["zh", "en"])))
def test_every_composed_reminder_is_polite_and_tells_eligible_households_how_to_apply(household, lang):
    text = compose(household, Arrears(D("1234.50"), (Q1, Q2)), lang)
    assert check_wording(text) == []
    assert ("¥1,234.50" if lang == "en" else "1234.50元") in text
    if lang == "zh":
        assert "2025年第1季度、2025年第2季度" in text and "3号楼2单元501" in text
    tells = ("申请" in text and "减免" in text) if lang == "zh" else "apply for a fee reduction" in text or \
        "you can apply" in text
    assert tells == household.eligible_for_reduction


def test_dibao_household_is_told_by_name():
    text = compose(Household("k", "1号楼101", reduction=ReductionCategory.DIBAO), OWES)
    assert "您家庭已登记为低保户" in text


@pytest.mark.parametrize("phrase", FORBIDDEN_PHRASES)
def test_check_wording_catches_each_chinese_phrase(phrase):
    assert phrase in check_wording(f"请尽快缴费，否则{phrase}。")


@pytest.mark.parametrize("phrase", FORBIDDEN_PHRASES_EN)
def test_check_wording_catches_each_english_phrase(phrase):
    assert check_wording(f"Please pay or we will {phrase.upper()} now.") != []


def test_check_wording_matches_english_words_not_fragments():
    assert check_wording("If you have an issue, we will pursue it with care.") == []
    assert check_wording("物业费缴费温馨提示，停车费另计。") == []


def test_compose_refuses_an_address_carrying_a_threat():
    with pytest.raises(ValueError):
        compose(Household("k", "3号楼（欠费将停水）"), OWES)
