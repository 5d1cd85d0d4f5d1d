"""Telegram through python-telegram-bot (LINLI_TELEGRAM_FRAMEWORK=ptb)."""
from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import AsyncIterator, Awaitable, Sequence
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter as PtbRetryAfter, TelegramError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram.api import Blocked, RetryAfter, TelegramApiError, Transient
from bot.channels.telegram.convert import BotIdentity, Rows, Send, keyboard
from bot.channels.telegram.handling import UpdateHandler
from bot.channels.telegram.isolation import KeyedLocks
from bot.config import Settings

log = logging.getLogger(__name__)


def _retry_seconds(e: PtbRetryAfter) -> float:
    # An int today, a timedelta in PTB's next major version; reading it warns about that.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = e.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@contextlib.asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    try:
        yield
    except PtbRetryAfter as e:
        raise RetryAfter(e.message, _retry_seconds(e)) from e
    except Forbidden as e:
        raise Blocked(e.message) from e
    except BadRequest as e:  # a subclass of NetworkError in PTB, but final: not worth retrying
        raise TelegramApiError(e.message) from e
    except NetworkError as e:
        raise Transient(e.message) from e
    except TelegramError as e:
        raise TelegramApiError(e.message) from e


def _markup(rows: Rows) -> InlineKeyboardMarkup | None:
    kb = keyboard(rows)
    if not kb:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in kb])


class PtbApi:
    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.bot = app.bot

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
            file = InputFile(call.attachment.data, filename=call.attachment.filename)
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
            await self.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                             reply_markup=_markup(buttons))

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        async with _translated():
            await self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)

    async def download(self, file_id: str) -> bytes:
        async with _translated():
            f = await self.bot.get_file(file_id)
            # PTB reads the file itself when a local Bot API server returns a path on disk.
            return bytes(await f.download_as_bytearray())

    async def set_commands(self, commands: Sequence[tuple[str, str]], language: str | None) -> None:
        async with _translated():
            await self.bot.set_my_commands([BotCommand(c, d) for c, d in commands], language_code=language)

    async def set_webhook(self, url: str, secret: str, allowed_updates: Sequence[str]) -> None:
        async with _translated():
            await self.bot.set_webhook(url, secret_token=secret, allowed_updates=list(allowed_updates),
                                       drop_pending_updates=False)

    async def delete_webhook(self) -> None:
        async with _translated():
            await self.bot.delete_webhook(drop_pending_updates=False)


class PerUserProcessor(BaseUpdateProcessor):
    """Concurrent updates, but one resident's (per user in chat) strictly in order."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks = KeyedLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = None
        if isinstance(update, Update) and update.effective_user is not None:
            chat = update.effective_chat
            key = (chat.id if chat else None, update.effective_user.id)
        if key is None:
            await coroutine
            return
        async with self._locks.get(key):
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class PtbAdapter:
    framework = "ptb"

    def __init__(self, settings: Settings, *, polling: bool) -> None:
        base = settings.telegram_api_base.rstrip("/")
        builder = (Application.builder().token(settings.telegram_token)
                   .base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
                   .concurrent_updates(PerUserProcessor()))
        if not polling:
            builder = builder.updater(None)  # the web app receives the webhook, not PTB
        self.app = builder.build()
        self.app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self._on_update))
        self.app.add_handler(CallbackQueryHandler(self._on_update))
        self.app.add_error_handler(self._on_error)
        self.api = PtbApi(self.app)
        self._handler: UpdateHandler | None = None
        # Webhook updates in flight: their raw JSON, and where a failure is left for `feed`
        # (PTB reports handler errors to error handlers instead of raising them).
        self._webhook: dict[int, tuple[dict[str, Any], list[BaseException]]] = {}

    async def open(self) -> None:
        await self.app.initialize()
        await self.app.start()

    def attach(self, handler: UpdateHandler) -> None:
        self._handler = handler

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert self._handler is not None
        pending = self._webhook.get(id(update))
        raw = pending[0] if pending else update.to_dict()
        try:
            await self._handler.handle(raw, redeliverable=pending is not None)
        except Exception as e:
            if pending is not None:
                pending[1].append(e)
            raise

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update) and id(update) in self._webhook:
            return  # raised to the webhook, which answers 5xx and logs it
        log.error("telegram update failed", exc_info=context.error)

    async def feed(self, data: dict[str, Any]) -> None:
        """A webhook update, through PTB's handlers; returns once handled, raises on failure."""
        update = Update.de_json(data, self.app.bot)
        failures: list[BaseException] = []
        self._webhook[id(update)] = (data, failures)
        try:
            await self.app.update_processor.process_update(update, self.app.process_update(update))
        finally:
            del self._webhook[id(update)]
        if failures:
            raise failures[0]

    async def start_polling(self, timeout: int, allowed_updates: Sequence[str]) -> None:
        assert self.app.updater is not None
        await self.app.updater.start_polling(timeout=timedelta(seconds=timeout),
                                             allowed_updates=list(allowed_updates),
                                             drop_pending_updates=False)

    async def stop_receiving(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()

    async def close(self) -> None:
        await self.stop_receiving()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
