"""Staff answer tickets from their office's Telegram group (docs/telegram.md "Staff groups").

The office outbox posts each ticket as a card with buttons (bot.office_delivery); here are the
presses and the replies:

- 受理 / 办结: the action, at once; 转派: the street office's departments as buttons for community
  and street staff (the one chosen is summoned), a plain dispatch for property staff;
- 回复 / 退单: a prompt under the card; the staff member's reply to it (or, for an answer, to the
  card itself) is the answer to the resident, or the reason for returning the ticket.

The one pressing or replying is their Telegram account's person (ChatIdentity) acting with their
role and jurisdiction (core.tickets.service.staff_actor); anyone else is refused with an alert
and nothing changes. Each update is one unit of work with its processed id (as in handling.py),
so a re-sent update changes nothing twice; the card is edited after the commit.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.telegram import dedupe
from bot.channels.telegram.api import TelegramApi, TelegramApiError, moot_edit, stale_query
from bot.channels.telegram.convert import BotIdentity, Send
from core.tickets import staff_group as sg
from core.tickets.config import DEFAULT, TicketConfig
from core.tickets.lifecycle import Action, TransitionRefused
from core.tickets.service import TicketActor, TicketError, act, department_name, staff_actor, ticket_by_id
from handlers.messages import buttons as rows_of
from storage.models.telegram import TelegramUpdate
from storage.models.tickets import Ticket
from storage.repositories.people import PeopleRepository

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

Json = Mapping[str, Any]
GROUP_TYPES = ("group", "supergroup")
NOT_REGISTERED = "您的 Telegram 账号尚未登记为工作人员，不能处理工单。请先私聊机器人，用工作人员邀请码绑定身份。"
TEXT_ONLY = "请用文字回复：答复内容将原样发送给居民。"
PROMPTS = {
    sg.MessageKind.ANSWER: "✍️ 工单 {number}：请回复（引用）本条消息填写答复内容，将发送给居民。",
    sg.MessageKind.RETURN: "↩️ 工单 {number}：请回复（引用）本条消息说明退单原因。",
}
TOASTS = {Action.ACCEPT: "已受理", Action.CLOSE: "已办结（销号）", Action.DISPATCH: "已派单"}


class Refused(Exception):
    """Shown to the staff member as is; nothing changed."""


@dataclass
class Result:
    """What to show once the unit of work has committed."""

    ticket_id: int
    number: str
    toast: str | None = None
    prompt: sg.MessageKind | None = None
    choose: list[tuple[str, str]] = field(default_factory=list)  # departments (code, name) to offer
    card: sg.CardView | None = None
    chooser_text: str | None = None  # the department chooser, once a department is chosen


class StaffGroup:
    def __init__(self, rt: Runtime, api: TelegramApi, bot: BotIdentity) -> None:
        self.rt = rt
        self.api = api
        self.bot = bot

    def config(self) -> TicketConfig:
        c = self.rt.services.extra.get("tickets")
        return c if isinstance(c, TicketConfig) else DEFAULT

    async def handle(self, update: Json) -> str | None:
        """"handled" or "duplicate" for a staff group update; None: not one, for the resident flow."""
        query = update.get("callback_query")
        if query is not None:
            pressed = sg.parse_data(str(query.get("data") or ""))
            if pressed is None:
                return None
            return await self._press(int(update["update_id"]), query, pressed)
        msg = update.get("message")
        if msg is None or (msg.get("chat") or {}).get("type") not in GROUP_TYPES:
            return None
        reply = msg.get("reply_to_message") or {}
        if (reply.get("from") or {}).get("id") != self.bot.id or (msg.get("from") or {}).get("is_bot"):
            return None
        async with self.rt.db.session() as s:
            target = await sg.group_message(s, int(msg["chat"]["id"]), int(reply["message_id"]))
            kind = sg.MessageKind(target.kind) if target is not None else None
            ticket_id = target.ticket_id if target is not None else 0
        if kind is None:
            return None  # a reply to another of the bot's messages: the resident flow's
        return await self._reply(int(update["update_id"]), msg, kind, ticket_id)

    # -- presses ---------------------------------------------------------------------------------
    async def _press(self, update_id: int, query: Json, pressed: sg.Pressed) -> str:
        if await dedupe.seen(self.rt.db, self.bot.id, update_id):
            return "duplicate"
        message = query.get("message") or {}
        chat_id = int((message.get("chat") or {}).get("id", 0))
        now = self.rt.services.clock()
        try:
            async with self.rt.db.session() as s:
                s.add(TelegramUpdate(bot_id=self.bot.id, update_id=update_id))
                result = await self._do_press(s, query, pressed, now)
        except IntegrityError:
            return "duplicate"  # handled meanwhile by a concurrent delivery
        except Refused as e:
            await self._answer(str(query["id"]), str(e), alert=True)
            return "handled"
        await self._answer(str(query["id"]), result.toast)
        if result.chooser_text is not None and message.get("message_id"):
            await self._edit(chat_id, int(message["message_id"]), result.chooser_text, None)
        await self._show(chat_id, result)
        return "handled"

    async def _do_press(self, s: AsyncSession, query: Json, pressed: sg.Pressed, now: datetime) -> Result:
        t, who = await self._staff_and_ticket(s, query.get("from") or {}, pressed.ticket_id)
        result = Result(t.id, t.number)
        try:
            match pressed.op:
                case sg.Op.ACCEPT | sg.Op.CLOSE:
                    action = Action.ACCEPT if pressed.op is sg.Op.ACCEPT else Action.CLOSE
                    await act(s, t, who, action, now, config=self.config())
                    result.toast = TOASTS[action]
                case sg.Op.DISPATCH if sg.summons_departments(who.role):
                    sg.check_can(t, who.role, Action.DISPATCH, now)
                    result.choose = await sg.departments(s, t)
                    if not result.choose:
                        raise Refused("本街道尚未登记部门，请在控制台派单")
                case sg.Op.DISPATCH | sg.Op.DEPARTMENT:
                    await act(s, t, who, Action.DISPATCH, now, department=pressed.department, config=self.config())
                    name = await department_name(s, t.street_office_id, pressed.department)
                    result.toast = f"已派单至{name}" if name else TOASTS[Action.DISPATCH]
                    if pressed.op is sg.Op.DEPARTMENT:
                        result.chooser_text = f"工单 {t.number}：{result.toast}"
                case sg.Op.REPLY:
                    sg.check_can(t, who.role, sg.answer_steps(t)[0], now)  # the answer would be refused
                    result.prompt = sg.MessageKind.ANSWER
                case sg.Op.RETURN:
                    sg.check_can(t, who.role, Action.RETURN, now)
                    result.prompt = sg.MessageKind.RETURN
        except (TransitionRefused, TicketError) as e:
            raise Refused(str(e)) from None
        result.card = await sg.current_card(s, t)
        return result

    async def _staff_and_ticket(self, s: AsyncSession, user: Json, ticket_id: int) -> tuple[Ticket, TicketActor]:
        ident = await PeopleRepository(s).identity("telegram", str(user.get("id")))
        if ident is None:
            raise Refused(NOT_REGISTERED)
        try:
            t = await ticket_by_id(s, ticket_id)
            return t, await staff_actor(s, ident.person_id, t)
        except TicketError as e:
            raise Refused(str(e)) from None

    # -- replies ---------------------------------------------------------------------------------
    async def _reply(self, update_id: int, msg: Json, kind: sg.MessageKind, ticket_id: int) -> str:
        if await dedupe.seen(self.rt.db, self.bot.id, update_id):
            return "duplicate"
        chat_id = int(msg["chat"]["id"])
        text = str(msg.get("text") or msg.get("caption") or "").strip()
        now = self.rt.services.clock()
        try:
            async with self.rt.db.session() as s:
                s.add(TelegramUpdate(bot_id=self.bot.id, update_id=update_id))
                t, who = await self._staff_and_ticket(s, msg.get("from") or {}, ticket_id)
                if not text:
                    raise Refused(TEXT_ONLY)
                try:
                    if kind is sg.MessageKind.RETURN:
                        await act(s, t, who, Action.RETURN, now, reason=text, config=self.config())
                        done = f"✅ 工单 {t.number} 已退单。"
                    else:
                        await sg.answer_from_group(s, t, who.person_id or 0, text, now, self.config())
                        done = f"✅ 工单 {t.number} 的答复已发送给居民。"
                except (TransitionRefused, TicketError) as e:
                    raise Refused(str(e)) from None
                result = Result(t.id, t.number, card=await sg.current_card(s, t))
        except IntegrityError:
            return "duplicate"
        except Refused as e:
            await self._send(Send("message", str(chat_id), f"⚠️ {e}", reply_to=int(msg["message_id"])))
            return "handled"
        await self._send(Send("message", str(chat_id), done, reply_to=int(msg["message_id"])))
        await self._show(chat_id, result)
        return "handled"

    # -- showing ---------------------------------------------------------------------------------
    async def _show(self, chat_id: int, result: Result) -> None:
        """Edit the ticket's card in this group; post the prompt or the department buttons under it."""
        async with self.rt.db.session() as s:
            card = await sg.card_in_chat(s, chat_id, result.ticket_id)
            card_id = card.message_id if card is not None else None
            channel_id = card.channel_id if card is not None else None
        if card_id is not None and result.card is not None:
            await self._edit(chat_id, card_id, result.card.text, result.card.buttons)
        if result.prompt is not None:
            sent = await self._send(Send("message", str(chat_id), PROMPTS[result.prompt].format(number=result.number),
                                         reply_to=card_id))
            if sent is not None and channel_id is not None:
                async with self.rt.db.session() as s:
                    await sg.remember(s, channel_id, result.ticket_id, chat_id, sent, result.prompt)
        if result.choose:
            choices = [[(name, sg.button_data(sg.Op.DEPARTMENT, result.ticket_id, code))]
                       for code, name in result.choose]
            await self._send(Send("message", str(chat_id), f"🔀 工单 {result.number}：派单至哪个部门？",
                                  rows_of(*choices), reply_to=card_id))

    async def _answer(self, query_id: str, text: str | None, alert: bool = False) -> None:
        try:
            await self.api.answer_callback(query_id, text, alert)
        except TelegramApiError as e:
            if not stale_query(e):
                log.warning("answerCallbackQuery failed: %s", e.description)
        except Exception:
            log.warning("answerCallbackQuery failed", exc_info=True)

    async def _edit(self, chat_id: int, message_id: int, text: str, buttons: sg.Rows | None) -> None:
        try:
            await self.api.edit_text(chat_id, message_id, text, rows_of(*(buttons or [])))
        except TelegramApiError as e:
            if not moot_edit(e):  # "message is not modified": the card shows this already
                log.warning("editing the staff card failed: %s", e.description)
        except Exception:
            log.warning("editing the staff card failed", exc_info=True)

    async def _send(self, call: Send) -> int | None:
        try:
            return await self.api.send(call)
        except Exception:  # committed already: the group misses a line, the ticket is right
            log.warning("telegram %s to staff group %s failed", call.kind, call.chat_id, exc_info=True)
            return None
