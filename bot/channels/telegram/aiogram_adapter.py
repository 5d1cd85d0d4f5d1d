"""Telegram through aiogram 3 (the default framework)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods.base import Response
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    TelegramObject,
    Update,
)

from bot.channels.telegram.api import Blocked, RetryAfter, TelegramApiError, Transient
from bot.channels.telegram.convert import BotIdentity, Rows, Send, keyboard
from bot.channels.telegram.handling import UpdateHandler
from bot.channels.telegram.isolation import KeyedLocks
from bot.config import Settings

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    try:
        yield
    except TelegramRetryAfter as e:
        raise RetryAfter(e.message, float(e.retry_after)) from e
    except TelegramForbiddenError as e:
        raise Blocked(e.message) from e
    except (TelegramServerError, TelegramNetworkError) as e:
        raise Transient(e.message) from e
    except TelegramAPIError as e:
        raise TelegramApiError(e.message) from e


def _markup(rows: Rows) -> InlineKeyboardMarkup | None:
    kb = keyboard(rows)
    if not kb:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=data)
                                                  for label, data in row] for row in kb])


class _Session(AiohttpSession):
    """aiogram's session, keeping the parsed response types alive.

    aiogram parses every answer with `Response[<method's result type>]`. pydantic caches such
    generic classes only weakly, and the garbage collector (run often in a busy worker) drops
    them, so the class was rebuilt (schema and validator, ~10 ms of CPU) on about every other
    Bot API call. One strong reference per result type makes it a dictionary hit.
    """

    _response_types: dict[Any, Any] = {}

    def check_response(self, bot: Bot, method: Any, status_code: int, content: str) -> Any:
        returning = method.__returning__
        if returning not in self._response_types:
            self._response_types[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)


class AiogramApi:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def get_me(self) -> BotIdentity:
        async with _translated():
            me = await self.bot.get_me()
        return BotIdentity(me.id, me.username)

    async def send(self, call: Send) -> int:
        markup = _markup(call.buttons)
        reply = ReplyParameters(message_id=call.reply_to, allow_sending_without_reply=True) \
            if call.reply_to is not None else None
        async with _translated():
            if call.kind == "message":
                msg = await self.bot.send_message(call.chat_id, call.text, reply_markup=markup,
                                            reply_parameters=reply)
                return msg.message_id
            assert call.attachment is not None
            file = BufferedInputFile(call.attachment.data, filename=call.attachment.filename)
            if call.kind == "photo":
                msg = await self.bot.send_photo(call.chat_id, file, caption=call.text or None,
                                          reply_markup=markup, reply_parameters=reply)
            else:
                msg = await self.bot.send_document(call.chat_id, file, caption=call.text or None,
                                             reply_markup=markup, reply_parameters=reply)
        return msg.message_id

    async def answer_callback(self, query_id: str, text: str | None = None, alert: bool = False) -> None:
        async with _translated():
            await self.bot.answer_callback_query(query_id, text=text, show_alert=alert or None)

    async def edit_text(self, chat_id: int, message_id: int, text: str, buttons: Rows = ()) -> None:
        async with _translated():
            await self.bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id,
                                             reply_markup=_markup(buttons))

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        async with _translated():
            await self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)

    async def download(self, file_id: str) -> bytes:
        async with _translated():
            f = await self.bot.get_file(file_id)
            if not f.file_path:
                raise TelegramApiError("file is not available for download")
            if Path(f.file_path).is_absolute():  # a local Bot API server in --local mode
                return await asyncio.to_thread(Path(f.file_path).read_bytes)
            buf = await self.bot.download_file(f.file_path)
        assert buf is not None
        return buf.getvalue()

    async def set_commands(self, commands: Sequence[tuple[str, str]], language: str | None) -> None:
        async with _translated():
            await self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d in commands],
                                           language_code=language)

    async def set_webhook(self, url: str, secret: str, allowed_updates: Sequence[str]) -> None:
        async with _translated():
            await self.bot.set_webhook(url, secret_token=secret, allowed_updates=list(allowed_updates),
                                       drop_pending_updates=False)

    async def delete_webhook(self) -> None:
        async with _translated():
            await self.bot.delete_webhook(drop_pending_updates=False)


class PerUserIsolation(BaseEventIsolation):
    """aiogram's event isolation with locks that do not accumulate per user."""

    def __init__(self) -> None:
        self._locks = KeyedLocks()

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        async with self._locks.get((key.bot_id, key.chat_id, key.user_id, key.thread_id)):
            yield

    async def close(self) -> None:
        pass


class AiogramAdapter:
    framework = "aiogram"

    def __init__(self, settings: Settings) -> None:
        server = TelegramAPIServer.from_base(settings.telegram_api_base)
        self.bot = Bot(settings.telegram_token, session=_Session(api=server))
        self.api = AiogramApi(self.bot)
        # Per user in chat: one resident's messages in order, residents concurrently.
        self.dp = Dispatcher(events_isolation=PerUserIsolation())
        router = Router(name="linli")
        router.message.register(self._on_event)
        router.callback_query.register(self._on_event)
        self.dp.include_router(router)
        self._handler: UpdateHandler | None = None
        self._polling: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Nothing to do before the first call: aiogram connects lazily."""

    def attach(self, handler: UpdateHandler) -> None:
        self._handler = handler

    async def _on_event(self, event: TelegramObject, event_update: Update,
                        linli_raw: dict[str, Any] | None = None, linli_redeliverable: bool = False) -> None:
        assert self._handler is not None
        raw = linli_raw if linli_raw is not None else event_update.model_dump(
            mode="json", by_alias=True, exclude_none=True)
        await self._handler.handle(raw, redeliverable=linli_redeliverable)

    async def feed(self, data: dict[str, Any]) -> None:
        """A webhook update, through aiogram's dispatcher; returns once handled, raises on failure."""
        update = Update.model_validate(data, context={"bot": self.bot})
        await self.dp.feed_update(self.bot, update, linli_raw=data, linli_redeliverable=True)

    async def start_polling(self, timeout: int, allowed_updates: Sequence[str]) -> None:
        self._polling = asyncio.create_task(self.dp.start_polling(
            self.bot, polling_timeout=timeout, handle_signals=False, close_bot_session=False,
            allowed_updates=list(allowed_updates), linli_redeliverable=False), name="telegram-polling")

    async def stop_receiving(self) -> None:
        if self._polling is not None and not self._polling.done():
            try:
                await self.dp.stop_polling()
            except RuntimeError:  # stopped before polling had started
                self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling

    async def close(self) -> None:
        await self.stop_receiving()
        await self.bot.session.close()
