"""What Linli asks of the Bot API, whichever framework makes the calls.

Each adapter implements `TelegramApi` with its framework's Bot and translates that framework's
exceptions into the few below, so retry and "harmless error" decisions are taken once.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from bot.channels.telegram.convert import BotIdentity, Rows, Send

log = logging.getLogger(__name__)

T = TypeVar("T")

# The updates Linli acts on; everything else is not even fetched.
ALLOWED_UPDATES = ("message", "callback_query")


class TelegramApiError(Exception):
    """The Bot API refused a call; `description` is Telegram's own text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class RetryAfter(TelegramApiError):
    """Flood control: wait `seconds`, then the same call may succeed."""

    def __init__(self, description: str, seconds: float) -> None:
        super().__init__(description)
        self.seconds = seconds


class Transient(TelegramApiError):
    """A network failure or a Telegram server error: worth another try."""


class Blocked(TelegramApiError):
    """The resident blocked the bot, or left the group."""


# Errors that mean "nothing left to do", not failures.
_STALE_QUERY = ("query is too old", "query id is invalid")
_EDIT_MOOT = ("message is not modified", "message to edit not found", "message can't be edited")


def stale_query(e: TelegramApiError) -> bool:
    d = e.description.lower()
    return any(s in d for s in _STALE_QUERY)


def moot_edit(e: TelegramApiError) -> bool:
    d = e.description.lower()
    return any(s in d for s in _EDIT_MOOT)


class TelegramApi(Protocol):
    async def get_me(self) -> BotIdentity: ...

    async def send(self, call: Send) -> int:
        """Send; returns the message id (of the call's one message)."""

    async def answer_callback(self, query_id: str, text: str | None = None, alert: bool = False) -> None:
        """Stop the button's spinner; with `text`, a toast (or an alert the user must close)."""

    async def edit_text(self, chat_id: int, message_id: int, text: str, buttons: Rows = ()) -> None:
        """Replace a message's text; its keyboard becomes `buttons` (none: dropped)."""

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None: ...

    async def download(self, file_id: str) -> bytes: ...

    async def set_commands(self, commands: Sequence[tuple[str, str]], language: str | None) -> None: ...

    async def set_webhook(self, url: str, secret: str, allowed_updates: Sequence[str]) -> None: ...

    async def delete_webhook(self) -> None: ...


async def with_retry(call: Callable[[], Awaitable[T]], attempts: int = 4, max_wait: float = 60.0) -> T:
    """Run a Bot API call, waiting out flood control and brief outages."""
    for attempt in range(attempts):
        try:
            return await call()
        except RetryAfter as e:
            if attempt == attempts - 1:
                raise
            log.info("telegram flood control: waiting %.1fs", e.seconds)
            await asyncio.sleep(min(e.seconds, max_wait))
        except Transient:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5 * 2 ** attempt)
    raise AssertionError("unreachable")
