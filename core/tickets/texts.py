"""What residents read about their tickets, in Chinese (default) and English (a person whose
language is en), as handlers/texts.py does for the rest of the conversation.

Names of offices and departments are proper names and stay as registered (Chinese); category
names have an English rendering here (the taxonomy codes stay the contract).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.tickets import catalog
from core.tickets.lifecycle import TicketStatus
from core.tickets.rating import Rating

LANGS = ("zh", "en")

CATEGORY_EN = {
    "elevator": "Lift breakdown or people trapped", "water_leak": "Leaks, pipes, blocked drains",
    "public_lighting": "Stairwell and public lighting", "facility_damage": "Door access, CCTV, broken facilities",
    "sanitation": "Cleaning and rubbish", "greening": "Greenery and trees", "security_order": "Gate and security",
    "parking": "Parking", "clutter": "Clutter, flyers and graffiti", "ev_charging": "E-bikes charged indoors",
    "fire_lane": "Blocked fire lanes and fire equipment", "illegal_construction": "Illegal construction",
    "structural_alteration": "Structural alterations", "cooking_fumes": "Restaurant fumes", "noise": "Noise",
    "pets": "Dogs and animals", "property_service": "Property company's service", "fee_dispute": "Fee dispute",
    "committee_affairs": "Owners' committee affairs", "neighbor_dispute": "Dispute between neighbours",
    "utilities": "Water, power, gas or heating", "other": "Other",
}
STATUS_EN = {
    TicketStatus.NEW: "waiting to be accepted", TicketStatus.ACCEPTED: "accepted",
    TicketStatus.DISPATCHED: "dispatched", TicketStatus.IN_PROGRESS: "in progress",
    TicketStatus.ANSWERED: "answered", TicketStatus.RATED: "rated", TicketStatus.CLOSED: "closed",
    TicketStatus.RETURNED: "returned for reassignment", TicketStatus.EXTENDED: "extended",
    TicketStatus.MERGED: "merged", TicketStatus.REFERRED: "referred", TicketStatus.REOPENED: "reopened",
}
RATING_EN = {Rating.SATISFIED: "Satisfied", Rating.BASICALLY_SATISFIED: "Mostly satisfied",
             Rating.UNSATISFIED: "Not satisfied"}

TEXTS: dict[str, dict[str, str]] = {
    # Notifications (core.tickets.service).
    "head": {"zh": "工单 {number}（{category}）", "en": "Ticket {number} ({category})"},
    "accepted": {"zh": "{head}已受理，将于 {due} 前答复您。",
                 "en": "{head} has been accepted. You will have an answer by {due}."},
    "dispatched": {"zh": "{head}已派单至{dept}办理。", "en": "{head} has been passed to {dept}."},
    "answer": {"zh": "【工单答复】{head}\n{text}", "en": "[Answer] {head}\n{text}"},
    "extended": {"zh": "{head}需要延期办理。\n原因：{reason}\n新的答复期限：{due} 前。",
                 "en": "{head} needs more time.\nWhy: {reason}\nNew deadline: {due}."},
    "referred": {"zh": "{head}经核实不属于本单位职责，已转交：{target}。",
                 "en": "{head} is not ours to handle and has been referred to: {target}."},
    "referred_why": {"zh": "\n说明：{reason}", "en": "\nNote: {reason}"},
    "merged": {"zh": "{head}与工单 {target} 为同一问题，已合并办理，后续进展将一并告知您。",
               "en": "{head} is the same problem as ticket {target}; they are handled together and you "
                     "will hear of progress on both."},
    "closed": {"zh": "{head}已办结（销号），感谢您的反馈。", "en": "{head} is closed. Thank you for reporting it."},
    "reopened": {"zh": "{head}已重新办理。\n原因：{reason}\n新的答复期限：{due} 前。",
                 "en": "{head} has been reopened.\nWhy: {reason}\nNew deadline: {due}."},
    "escalated": {"zh": "{head}已超过办理期限，已转街道督办。",
                  "en": "{head} is overdue and has gone to the street office for supervision."},
    "rate_ask": {"zh": "请对处理结果进行评价：", "en": "How was it handled?"},
    "recategorised": {"zh": "工单 {number} 的问题类别已由「{old}」调整为「{new}」，改由{office}办理，答复期限不变：{due} 前。",
                      "en": "Ticket {number} was re-filed from \"{old}\" to \"{new}\" and is now handled by "
                            "{office}. The deadline is unchanged: {due}."},
    # The complaint in chat (handlers.complaints, handlers.ticket_followup).
    "btn.submit": {"zh": "对，提交", "en": "Yes, submit"},
    "btn.anonymous": {"zh": "匿名提交", "en": "Submit anonymously"},
    "btn.change_to": {"zh": "改为：{category}", "en": "Change to: {category}"},
    "btn.none_fits": {"zh": "都不对", "en": "None of these"},
    "btn.cancel": {"zh": "取消", "en": "Cancel"},
    "btn.details": {"zh": "补充说明", "en": "Add details"},
    "btn.mine": {"zh": "我的工单", "en": "My tickets"},
    "btn.follow": {"zh": "我也遇到了", "en": "Me too"},
    "btn.separate": {"zh": "仍要单独提交", "en": "Submit separately"},
    "btn.at_home": {"zh": "在我家 {place}", "en": "At my home, {place}"},
    "urgent": {"zh": "⚠️ 紧急情况，请先注意安全！", "en": "⚠️ Emergency: stay safe first!"},
    "ask_estate": {"zh": "请问是哪个小区？", "en": "Which estate is it in?"},
    "ask_estate_type": {"zh": "（也可以直接输入小区名称）", "en": " (or type its name)"},
    "ask_place": {"zh": "我理解为：{category}。\n请问具体在哪里？例如「6号楼2单元」「地下车库」「东门」，也可以发送定位。",
                  "en": "I understand: {category}.\nWhere exactly? E.g. \"building 6 unit 2\", "
                        "\"underground car park\", \"east gate\"; or send a location."},
    "restate": {"zh": "我理解为：{said}。对吗？{photos}\n（选择「匿名提交」时，处理人员看不到您的姓名、电话和房号。）",
                "en": "I understand: {said}. Is that right?{photos}\n(With \"Submit anonymously\", staff "
                      "do not see your name, phone or flat.)"},
    "photos": {"zh": "\n已附照片 {n} 张。", "en": "\n{n} photo(s) attached."},
    "submitted": {"zh": "已提交{anonymous}，工单号 {number}。\n{office}将在 {due} 前答复您，办理进展会在这里通知您。",
                  "en": "Submitted{anonymous}: ticket {number}.\n{office} will answer by {due}; you will "
                        "hear of progress here."},
    "anonymous": {"zh": "（匿名）", "en": " (anonymously)"},
    "submitted_urgent": {"zh": "已生成紧急工单 {number}，已通知物业值班人员和街道，将在 {due} 前响应。请保持电话畅通；"
                               "如方便，请点「补充说明」告诉我们具体位置或情况。",
                         "en": "Urgent ticket {number} is open; the staff on duty and the street office are "
                               "alerted and will respond by {due}. Keep your phone at hand, and if you can, "
                               "tap \"Add details\" to tell us where exactly and what is happening."},
    "duplicate": {"zh": "同一问题已有人反映，加入关注？\n工单 {number}：{what}（{status}）",
                  "en": "Someone has reported this already. Follow that ticket?\nTicket {number}: {what} ({status})"},
    "followed": {"zh": "已加入关注工单 {number}，办理进展会通知您。",
                 "en": "You now follow ticket {number} and will hear of its progress."},
    "already_following": {"zh": "您已在关注工单 {number}。", "en": "You already follow ticket {number}."},
    "rated": {"zh": "感谢您的评价（{rating}）！", "en": "Thank you for your rating ({rating})!"},
}


def lang_of(value: str | None) -> str:
    return value if value in LANGS else "zh"


def say(lang: str, key: str, **kw: Any) -> str:
    entry = TEXTS[key]
    return entry.get(lang, entry["zh"]).format(**kw)


def category_name(code: str, lang: str = "zh") -> str:
    return CATEGORY_EN.get(code, code) if lang == "en" else catalog.category_name(code)


def short_category_name(code: str, lang: str = "zh") -> str:
    return CATEGORY_EN.get(code, code) if lang == "en" else catalog.short_category_name(code)


def status_name(status: TicketStatus, lang: str = "zh") -> str:
    return STATUS_EN[status] if lang == "en" else status.zh


def rating_name(rating: Rating, lang: str = "zh") -> str:
    return RATING_EN[rating] if lang == "en" else rating.zh


def due_text(due: datetime, zone: ZoneInfo, lang: str = "zh") -> str:
    """A deadline as told: the date for working-day deadlines (they end at 23:59:59), else date and time."""
    local = due.astimezone(zone)
    whole_day = (local.hour, local.minute, local.second) == (23, 59, 59)
    if lang == "en":
        day = f"{local:%a} {local.day} {local:%b}"
        return day if whole_day else f"{day} {local:%H:%M}"
    if whole_day:
        return f"{local.month}月{local.day}日（周{'一二三四五六日'[local.weekday()]}）"
    return f"{local.month}月{local.day}日 {local:%H:%M}"
