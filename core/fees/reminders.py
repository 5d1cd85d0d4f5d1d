"""Arrears reminders (催缴): when one may be sent, and its polite wording.

Rules: only a household with arrears; only in a private chat, never a group (names of owners in
arrears are never published); at most one per premises in any 7 × 24 hours and three per billing
period; never between 21:00 and 08:00 in the estate's time zone. The wording never mentions cutting
water, power, heating or gas, nor lawsuits or public shaming (民法典 art. 944 forbids the first);
every template is checked against FORBIDDEN_PHRASES by check_wording.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

from core.fees.money import format_cny, format_yuan
from core.fees.periods import Period
from core.fees.schedule import ReductionCategory
from core.fees.statement import Statement

QUIET_FROM = time(21, 0)   # inclusive
QUIET_UNTIL = time(8, 0)   # exclusive: 08:00 is allowed
MIN_INTERVAL = timedelta(days=7)
PER_PERIOD = 3


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class Reason(StrEnum):
    SEND = "send"
    GROUP_CHAT = "group_chat"
    NO_ARREARS = "no_arrears"
    PERIOD_LIMIT = "period_limit"
    WEEKLY_LIMIT = "weekly_limit"
    QUIET_HOURS = "quiet_hours"

    @property
    def label_zh(self) -> str:
        return {
            "send": "可以发送",
            "group_chat": "催缴只能私信，不在群内发送",
            "no_arrears": "该户没有欠费",
            "period_limit": f"本计费周期已提醒{PER_PERIOD}次",
            "weekly_limit": "距上次提醒不足7天",
            "quiet_hours": "21:00至次日08:00不发送提醒",
        }[self.value]


@dataclass(frozen=True)
class Household:
    premises_key: str
    address: str                                  # "3号楼2单元501": used only in a private message
    reduction: ReductionCategory | None = None    # a registered 低保/特困 household
    reduction_flagged: bool = False               # flagged by staff or the community as possibly eligible
    contact: str = ""                             # the property service centre's phone

    @property
    def eligible_for_reduction(self) -> bool:
        return self.reduction is not None or self.reduction_flagged


@dataclass(frozen=True)
class Arrears:
    amount: Decimal
    periods: tuple[Period, ...]   # oldest first

    @classmethod
    def of(cls, st: Statement) -> Arrears:
        return cls(st.arrears_total, tuple(p.period for p in st.arrears))


@dataclass(frozen=True)
class SentReminder:
    premises_key: str
    period: Period       # the billing period in which it was sent
    sent_at: datetime    # timezone-aware


@dataclass(frozen=True)
class Decision:
    send: bool
    reason: Reason
    next_allowed: datetime | None = None   # when it would be allowed, if waiting helps


def _aware(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("reminder times must carry the estate's time zone")
    return t


def _quiet(local: datetime) -> bool:
    return local.time() >= QUIET_FROM or local.time() < QUIET_UNTIL


def _out_of_quiet_hours(local: datetime) -> datetime:
    """The first allowed moment at or after `local` (in its own time zone)."""
    if local.time() >= QUIET_FROM:
        return datetime.combine(local.date() + timedelta(days=1), QUIET_UNTIL, tzinfo=local.tzinfo)
    if local.time() < QUIET_UNTIL:
        return datetime.combine(local.date(), QUIET_UNTIL, tzinfo=local.tzinfo)
    return local


def decide(household: Household, arrears: Arrears, history: Sequence[SentReminder], now: datetime,
           period: Period, *, chat: ChatKind) -> Decision:
    """Whether a reminder may go to `household` now; `now` is in the estate's time zone."""
    now = _aware(now)
    if chat is not ChatKind.PRIVATE:
        return Decision(False, Reason.GROUP_CHAT)
    if arrears.amount <= 0:
        return Decision(False, Reason.NO_ARREARS)
    mine = [h for h in history if h.premises_key == household.premises_key]
    if sum(1 for h in mine if h.period == period) >= PER_PERIOD:
        return Decision(False, Reason.PERIOD_LIMIT)
    if mine:
        last = max(_aware(h.sent_at).astimezone(timezone.utc) for h in mine)
        ready = last + MIN_INTERVAL
        if now.astimezone(timezone.utc) < ready:
            return Decision(False, Reason.WEEKLY_LIMIT, _out_of_quiet_hours(ready.astimezone(now.tzinfo)))
    if _quiet(now):
        return Decision(False, Reason.QUIET_HOURS, _out_of_quiet_hours(now))
    return Decision(True, Reason.SEND)


FORBIDDEN_PHRASES: tuple[str, ...] = (
    "停水", "停电", "停暖", "停气", "断水", "断电", "断暖", "断气", "限水", "限电", "拉闸", "关闸",
    "停止供水", "停止供电", "停止供暖", "停止供热", "停止供气", "停供", "断供",
    "起诉", "诉讼", "法院", "律师函", "强制执行", "曝光", "公示姓名", "公布姓名", "通报姓名",
    "欠费名单", "黑名单", "失信", "征信", "后果自负",
)
# English, matched as whole words, case-insensitively ("sue" must not match "issue").
FORBIDDEN_PHRASES_EN: tuple[str, ...] = (
    "cut off", "cutting off", "disconnect", "disconnected", "disconnection", "shut off", "switch off",
    "suspend", "suspension", "sue", "lawsuit", "to court", "legal action", "blacklist", "credit record",
    "expose", "name and shame", "publish your name", "consequences",
)
_EN = re.compile(r"\b(" + "|".join(re.escape(p) for p in FORBIDDEN_PHRASES_EN) + r")\b", re.IGNORECASE)


def check_wording(text: str) -> list[str]:
    """The forbidden phrases found in `text`; empty means the wording may be sent."""
    found = [p for p in FORBIDDEN_PHRASES if p in text]
    found += [m.group(0) for m in _EN.finditer(text)]
    return found


TEMPLATES: dict[str, dict[str, str]] = {
    "zh": {
        "body": "尊敬的业主您好！温馨提示：您名下{address}的物业费用尚有{amount}未缴纳（{periods}）。",
        "already_paid": "如您近期已缴纳，请忽略本消息。",
        "how_to_pay": "您可到物业服务中心缴纳，或按账单上的缴费方式办理。",
        "contact": "如对费用有疑问，欢迎联系物业服务中心：{contact}。",
        "reduction": "如您家庭属于低保户、特困户等困难家庭，可携带相关证明到物业服务中心或社区居委会申请物业费减免。",
        "reduction_known": "您家庭已登记为{category}，如尚未办理减免，可携带相关证明到物业服务中心或社区居委会申请。",
        "thanks": "感谢您对小区物业服务工作的理解与支持！",
    },
    "en": {
        "body": "Dear owner, a friendly note: {amount} in property fees for {address} is still unpaid ({periods}).",
        "already_paid": "If you have paid recently, please ignore this message.",
        "how_to_pay": "You can pay at the property service centre or as described on your bill.",
        "contact": "If you have any questions about the fees, please contact the property service centre: {contact}.",
        "reduction": ("If your household receives the minimum living allowance or is in extreme hardship, you can "
                      "apply for a fee reduction at the property service centre or the community office with "
                      "the relevant certificate."),
        "reduction_known": ("Your household is registered as a {category}; if the fee reduction has not been "
                            "arranged yet, you can apply at the property service centre or the community office."),
        "thanks": "Thank you for your understanding and support.",
    },
}


def compose(household: Household, arrears: Arrears, lang: str = "zh") -> str:
    """The private reminder text; refuses a household without arrears."""
    if arrears.amount <= 0:
        raise ValueError("no arrears: nothing to remind")
    t = TEMPLATES["en" if lang == "en" else "zh"]
    en = lang == "en"
    sep = " " if en else ""
    periods = (", " if en else "、").join(p.label("en" if en else "zh") for p in arrears.periods)
    parts = [t["body"].format(address=household.address,
                              amount=format_cny(arrears.amount) if en else format_yuan(arrears.amount),
                              periods=periods),
             t["already_paid"], t["how_to_pay"]]
    if household.contact:
        parts.append(t["contact"].format(contact=household.contact))
    if household.reduction is not None:
        category = household.reduction.label_en if en else household.reduction.label_zh
        parts.append(t["reduction_known"].format(category=category))
    elif household.reduction_flagged:
        parts.append(t["reduction"])
    parts.append(t["thanks"])
    text = sep.join(parts)
    found = check_wording(text)
    if found:  # e.g. an address typed with a threat in it: never send such a text
        raise ValueError(f"reminder wording contains forbidden phrases: {found}")
    return text
