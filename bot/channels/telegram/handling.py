"""One Telegram update, end to end, the same for both frameworks and both delivery modes.

answer the button press (unless seen) -> dispatch (seen? effects + processed id, one commit) -> mark the pressed
keyboard -> send the replies. Replies go out only after the commit, so nothing is said that
could still roll back.

Failures: a webhook update is `redeliverable` (Telegram re-sends it after a 5xx), so the error
propagates. A polled update was already confirmed to Telegram, so it is retried here and, if it
still fails, the resident is told to send it again.
"""
from __future__ import annotations

import asyncio
import logging
from functools import partial
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from bot.channels.telegram import dedupe
from bot.channels.telegram.api import (
    Blocked,
    TelegramApi,
    TelegramApiError,
    moot_edit,
    stale_query,
    with_retry,
)
from bot.channels.telegram.convert import BotIdentity, Converted, Pressed, Send, convert_update, marked, plan
from bot.channels.telegram.staff_group import StaffGroup
from bot.ratelimit import acquire, telegram_rules
from handlers.dispatcher import AlreadyHandled
from handlers.messages import Outgoing

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

FAILED_TEXT = {
    "zh": "抱歉，系统开了个小差，这条消息没有处理成功，请稍后再发一次。",
    "en": "Sorry, something went wrong and this message was not processed. Please send it again shortly.",
}


class Outcome(StrEnum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"  # already processed: nothing done, nothing sent
    IGNORED = "ignored"  # not for Linli (a group chat line, a service message)
    FAILED = "failed"  # polling only: given up after retries, the resident was told


class UpdateHandler:
    def __init__(self, rt: Runtime, api: TelegramApi, bot: BotIdentity,
                 retry_delays: Sequence[float] = (0.5, 2.0, 5.0)) -> None:
        self.rt = rt
        self.api = api
        self.bot = bot
        self.retry_delays = tuple(retry_delays)
        self._inflight: set[asyncio.Task[Any]] = set()
        self.staff_group = StaffGroup(rt, api, bot)

    async def handle(self, update: Mapping[str, Any], *, redeliverable: bool) -> Outcome:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            return await self._handle(update, redeliverable)
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for updates being handled (on shutdown), so none is cut off mid-way."""
        current = asyncio.current_task()
        tasks = [t for t in self._inflight if t is not current]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    async def _handle(self, update: Mapping[str, Any], redeliverable: bool) -> Outcome:
        staff = await self._staff(update, redeliverable)  # a ticket card's button or a reply to it
        if staff is not None:
            return Outcome(staff)
        conv = convert_update(update, self.bot)
        if conv is None:
            return Outcome.IGNORED
        if conv.pressed is not None:
            # Checked apart, before the answer: a repeated press must not be answered again.
            # A message's check runs inside its own transaction (the Dispatcher's `done`).
            if await dedupe.seen(self.rt.db, self.bot.id, conv.update_id):
                log.info("telegram update %s already processed", conv.update_id)
                return Outcome.DUPLICATE
            await self._answer(conv.pressed)  # at once: the resident's button stops spinning
        try:
            replies = await self._dispatch(conv, attempts=1 if redeliverable else 1 + len(self.retry_delays))
        except AlreadyHandled:
            return Outcome.DUPLICATE  # logged where found
        except Exception:
            if redeliverable:
                raise
            log.exception("telegram update %s failed; the resident is asked to resend", conv.update_id)
            await self._deliver([Outgoing(FAILED_TEXT[self._lang(conv)])], conv)
            return Outcome.FAILED
        if conv.pressed is not None and not conv.incoming.is_group:
            # In a group the keyboard is everyone's: one member's press must not remove it.
            await self._mark(conv.pressed)
        await self._deliver(replies, conv)
        return Outcome.HANDLED

    async def _staff(self, update: Mapping[str, Any], redeliverable: bool) -> str | None:
        """The staff group's part; a polled update is retried here like a resident's (each try is
        one unit of work with the update id, so a retry after a commit finds it done)."""
        attempts = 1 if redeliverable else 1 + len(self.retry_delays)
        for attempt in range(attempts):
            try:
                return await self.staff_group.handle(update)
            except Exception:
                if attempt == attempts - 1:
                    raise
                log.warning("telegram staff group update %s failed (attempt %d), retrying",
                            update.get("update_id"), attempt + 1, exc_info=True)
                await asyncio.sleep(self.retry_delays[attempt])
        raise AssertionError("unreachable")

    def _lang(self, conv: Converted) -> str:
        lang = conv.incoming.language or self.rt.services.default_language
        return lang if lang in FAILED_TEXT else "zh"

    async def _dispatch(self, conv: Converted, attempts: int) -> list[Outgoing]:
        record = dedupe.recorder(self.bot.id, conv.update_id)
        done = dedupe.checker(self.bot.id, conv.update_id)
        for attempt in range(attempts):
            try:
                return await self.rt.dispatcher.handle(conv.incoming, record=record, done=done)
            except AlreadyHandled:
                log.info("telegram update %s already processed", conv.update_id)
                raise
            except IntegrityError:
                # Most likely the processed id written meanwhile by a concurrent delivery.
                if await dedupe.seen(self.rt.db, self.bot.id, conv.update_id):
                    log.info("telegram update %s was processed concurrently", conv.update_id)
                    raise AlreadyHandled() from None
                if attempt == attempts - 1:
                    raise
            except Exception:
                if attempt == attempts - 1:
                    raise
            log.warning("telegram update %s failed (attempt %d), retrying", conv.update_id, attempt + 1,
                        exc_info=True)
            await asyncio.sleep(self.retry_delays[attempt])
        raise AssertionError("unreachable")

    async def _answer(self, pressed: Pressed) -> None:
        try:
            await self.api.answer_callback(pressed.query_id)
        except TelegramApiError as e:
            # A stale query only means the spinner already timed out; the press still counts.
            if not stale_query(e):
                log.warning("answerCallbackQuery failed: %s", e.description)
        except Exception:  # cosmetic: never a reason to lose the press
            log.warning("answerCallbackQuery failed", exc_info=True)

    async def _mark(self, pressed: Pressed) -> None:
        """Show the choice under the pressed message and drop its keyboard, so an old menu
        cannot be pressed again by mistake."""
        if pressed.chat_id is None or pressed.message_id is None:
            return
        text = marked(pressed.text, pressed.label) if pressed.text and pressed.label else None
        try:
            if text is not None:
                await self.api.edit_text(pressed.chat_id, pressed.message_id, text)
            else:
                await self.api.remove_keyboard(pressed.chat_id, pressed.message_id)
        except TelegramApiError as e:
            # A double press edits to the same text: "message is not modified" is the expected answer.
            if not moot_edit(e):
                log.warning("editing the pressed message failed: %s", e.description)
        except Exception:
            log.warning("editing the pressed message failed", exc_info=True)

    async def _deliver(self, replies: list[Outgoing], conv: Converted) -> None:
        """Send the replies. The update is committed already, so a failure here is logged, not
        raised: a re-delivery would be a duplicate and send nothing either."""
        reply_to = conv.reply_to
        for out in replies:
            sends = plan(out, conv.incoming.chat_id, reply_to if out.chat_id is None else None)
            if sends and out.chat_id is None:
                reply_to = None  # quote the resident's message once
            await self.send_all(sends)

    async def send_all(self, sends: list[Send]) -> bool:
        for call in sends:
            try:
                # With Redis, replies book the same limits as the broadcaster's notifications.
                await acquire(self.rt.limiter, telegram_rules(str(self.bot.id), str(call.chat_id)))
                await with_retry(partial(self.api.send, call))
            except Blocked as e:
                log.info("telegram chat %s unreachable: %s", call.chat_id, e.description)
                return False
            except TelegramApiError as e:
                log.error("telegram %s to %s failed: %s", call.kind, call.chat_id, e.description)
                return False
            except Exception:
                log.exception("telegram %s to %s failed", call.kind, call.chat_id)
                return False
        return True
