"""The broadcaster's `Sender` for Telegram: queued notifications (core.notify bodies) out.

The broadcaster owns pacing and retries: flood control and a blocked bot are reported to it in
its own exception types. Once part of a message is out (a long text is several messages), the
rest is finished here, so a retry by the broadcaster never repeats what the resident already has.
"""
from __future__ import annotations

import logging
from functools import partial
from typing import Any

from bot import broadcast
from bot.broadcast import outgoing
from bot.channels.telegram.api import Blocked, RetryAfter, TelegramApi, with_retry
from bot.channels.telegram.convert import plan
from bot.ratelimit import TELEGRAM_PER_SECOND, Limiter, Rule, acquire, telegram_rules

__all__ = ["TelegramSender", "outgoing"]

log = logging.getLogger(__name__)


class TelegramSender:
    def __init__(self, api: TelegramApi, bot: str = "", per_second: float = TELEGRAM_PER_SECOND,
                 limiter: Limiter | None = None) -> None:
        self.api = api
        self.bot = bot  # the bot id: the key of its shared limits
        self.per_second = per_second
        # The broadcaster books the first message of a notification; the parts after it
        # (a long text, a chart) book their own slots here.
        self.limiter = limiter

    def rules(self, chat_id: str) -> list[Rule]:
        """The shared limits each message keeps (the reply path books the same keys)."""
        return telegram_rules(self.bot, chat_id, self.per_second)

    async def send(self, chat_id: str, body: dict[str, Any]) -> None:
        for i, call in enumerate(plan(outgoing(body), chat_id)):
            try:
                if i == 0:
                    await self.api.send(call)  # nothing out yet: the broadcaster may reschedule it
                else:
                    await acquire(self.limiter, self.rules(chat_id))
                    await with_retry(partial(self.api.send, call))
            except Blocked as e:
                raise broadcast.Blocked(e.description) from e
            except RetryAfter as e:
                raise broadcast.RetryAfter(e.seconds) from e
