"""Tickets in an office's staff group (product.md §3 "Staff answers"): the card each ticket is shown
as, the buttons under it (受理 / 回复 / 转派 / 退单 / 办结), the group messages that map back to a
ticket, and what a staff member's reply to a card means. No platform here: bot.channels.telegram
.staff_group reads the updates and bot.office_delivery posts and edits the cards.

A reply is an answer (Action.ANSWER through service.act, the rules and notifications of the web
API). A ticket still new or only accepted is taken on first — accepted and dispatched to the one who
answers — because the lifecycle answers only work that has been dispatched.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.tickets.config import DEFAULT, TicketConfig
from core.tickets.lifecycle import Action, ActorRole, TicketStatus, apply
from core.tickets.outbox import build_payload
from core.tickets.service import TicketError, act, staff_actor, state_of
from storage.models import Department
from storage.models.staff_group import StaffGroupMessage
from storage.models.tickets import Ticket, TicketEvent

PREFIX = "sg"
Rows = list[list[tuple[str, str]]]


class Op(StrEnum):
    """What a button asks; the callback data is `sg:<op>:<ticket id>[:<department code>]` (≤64 bytes)."""

    ACCEPT = "a"
    REPLY = "r"
    DISPATCH = "d"
    RETURN = "t"
    CLOSE = "c"
    DEPARTMENT = "dd"  # a department chosen under 转派


BUTTONS = ((("受理", Op.ACCEPT), ("回复", Op.REPLY)), (("转派", Op.DISPATCH), ("退单", Op.RETURN), ("办结", Op.CLOSE)))


class MessageKind(StrEnum):
    CARD = "card"
    ANSWER = "answer"  # a prompt: the reply to it is the answer
    RETURN = "return"  # a prompt: the reply to it is the reason for returning the ticket


@dataclass(frozen=True)
class Pressed:
    op: Op
    ticket_id: int
    department: str | None = None


def button_data(op: Op, ticket_id: int, department: str | None = None) -> str:
    return ":".join([PREFIX, op.value, str(ticket_id), *([department] if department else [])])


def parse_data(data: str) -> Pressed | None:
    """The press, or None for data that is not a staff group button (or is malformed)."""
    parts = data.split(":")
    if len(parts) not in (3, 4) or parts[0] != PREFIX or not parts[2].isdigit():
        return None
    try:
        op = Op(parts[1])
    except ValueError:
        return None
    department = parts[3] if len(parts) == 4 else None
    if (op is Op.DEPARTMENT) != bool(department):
        return None
    return Pressed(op, int(parts[2]), department)


@dataclass(frozen=True)
class CardView:
    text: str
    buttons: Rows


def card_view(payload: Mapping[str, Any], ticket_id: int | None) -> CardView:
    """The staff card of a ticket from an outbox payload (core.tickets.outbox.build_payload): what
    the office may see, the status now and the latest event; buttons while the ticket is open."""
    t, e = payload["ticket"], payload["event"]
    status = TicketStatus(t["status"])
    head = f"{'【紧急】' if t['urgent'] else ''}工单 {t['number']} · {status.zh}"
    lines = [head, f"类别：{t['category_name']}", f"地点：{t['estate']} {t['place']}".rstrip()]
    if t.get("description"):
        lines.append(f"内容：{t['description']}")
    lines.append(f"答复期限：{t['answer_due_text']}")
    latest = f"最新：{e['action_name']}"
    if e.get("reason"):
        latest += f"（{e['reason']}）"
    lines.append(latest)
    if t.get("supervised"):
        lines.append("督办：街道督办中")
    rows: Rows = []
    if ticket_id is not None and not status.final:
        rows = [[(label, button_data(op, ticket_id)) for label, op in row] for row in BUTTONS]
        lines.append("回复（引用）本卡片即答复居民。")
    return CardView("\n".join(lines), rows)


async def current_card(session: AsyncSession, t: Ticket) -> CardView:
    """The card as the outbox will show it after the ticket's latest event."""
    event = await session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.action != "follow")
                                 .order_by(TicketEvent.id.desc()).limit(1))
    assert event is not None  # every ticket has its "create"
    return card_view(await build_payload(session, t, event), t.id)


# -- the group's messages -------------------------------------------------------------------------------
async def remember(session: AsyncSession, channel_id: int, ticket_id: int, chat_id: int, message_id: int,
                   kind: MessageKind = MessageKind.CARD) -> None:
    session.add(StaffGroupMessage(channel_id=channel_id, ticket_id=ticket_id, chat_id=chat_id,
                                  message_id=message_id, kind=kind.value))
    await session.flush()


async def group_message(session: AsyncSession, chat_id: int, message_id: int) -> StaffGroupMessage | None:
    return await session.scalar(select(StaffGroupMessage).where(StaffGroupMessage.chat_id == chat_id,
                                                                StaffGroupMessage.message_id == message_id))


async def card_in_channel(session: AsyncSession, channel_id: int, ticket_id: int) -> StaffGroupMessage | None:
    """The latest card of the ticket posted to this channel."""
    return await session.scalar(select(StaffGroupMessage).where(
        StaffGroupMessage.channel_id == channel_id, StaffGroupMessage.ticket_id == ticket_id,
        StaffGroupMessage.kind == MessageKind.CARD.value).order_by(StaffGroupMessage.id.desc()).limit(1))


async def card_in_chat(session: AsyncSession, chat_id: int, ticket_id: int) -> StaffGroupMessage | None:
    return await session.scalar(select(StaffGroupMessage).where(
        StaffGroupMessage.chat_id == chat_id, StaffGroupMessage.ticket_id == ticket_id,
        StaffGroupMessage.kind == MessageKind.CARD.value).order_by(StaffGroupMessage.id.desc()).limit(1))


# -- what staff do from the group -----------------------------------------------------------------------
async def departments(session: AsyncSession, t: Ticket) -> list[tuple[str, str]]:
    """(code, name) of the street office's departments, the ticket's routed one first."""
    rows = [(d.code, d.name) for d in await session.scalars(
        select(Department).where(Department.street_office_id == t.street_office_id).order_by(Department.code))]
    return sorted(rows, key=lambda r: r[0] != t.department)


def summons_departments(role: ActorRole) -> bool:
    """Community and street staff summon a department under 转派; a property company dispatches to
    its own people (no department)."""
    return role in (ActorRole.COMMUNITY_STAFF, ActorRole.STREET_STAFF)


def check_can(t: Ticket, role: ActorRole, action: Action, now: datetime) -> None:
    """Refuse (TransitionRefused with the rule's words) what this role cannot do now, before asking
    the staff member for a reason they would type in vain. `apply` is pure: trying it changes nothing."""
    apply(state_of(t), action, role, "—", now, target="—")


def answer_steps(t: Ticket) -> list[Action]:
    """The actions a reply from the group takes: take the ticket on as far as needed, then answer."""
    work = state_of(t).work_status
    if work is TicketStatus.NEW:
        return [Action.ACCEPT, Action.DISPATCH, Action.ANSWER]
    if work in (TicketStatus.ACCEPTED, TicketStatus.RETURNED):
        return [Action.DISPATCH, Action.ANSWER]
    return [Action.ANSWER]


async def answer_from_group(session: AsyncSession, t: Ticket, person_id: int, text: str, now: datetime,
                            config: TicketConfig = DEFAULT) -> None:
    """A staff member's reply to the card: the answer to the resident (taking the ticket on first if
    it is not yet dispatched). All or nothing, in the caller's unit of work."""
    text = text.strip()
    if not text:
        raise TicketError("答复内容不能为空，请用文字回复工单卡片")
    who = await staff_actor(session, person_id, t)
    for action in answer_steps(t):
        await act(session, t, who, action, now, text=text if action is Action.ANSWER else None, config=config)


__all__ = ["BUTTONS", "CardView", "MessageKind", "Op", "PREFIX", "Pressed", "answer_from_group", "answer_steps",
           "button_data", "card_in_channel", "card_in_chat", "card_view", "check_can", "current_card",
           "departments", "group_message", "parse_data", "remember", "summons_departments"]
