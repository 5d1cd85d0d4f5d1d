"""The Telegram channel as a running service: `linli run` starts it when LINLI_TELEGRAM_TOKEN is set.

Start: the framework's bot (aiogram by default, PTB with LINLI_TELEGRAM_FRAMEWORK=ptb), the
command menu, then either the webhook (LINLI_TELEGRAM_WEBHOOK_URL set; updates arrive through
`webhook.make_router`) or long polling. Stop: no new updates, wait for the ones in hand, close.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal, Protocol

from bot.channels.telegram import dedupe
from bot.channels.telegram.api import ALLOWED_UPDATES, TelegramApi, with_retry
from bot.channels.telegram.convert import plan
from bot.channels.telegram.handling import UpdateHandler
from bot.channels.telegram.menu import set_menu
from bot.channels.telegram.sender import TelegramSender
from bot.config import Settings
from handlers.messages import Outgoing

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

EXTRAS_KEY = "telegram"
# Telegram keeps an undelivered update for 24 hours; processed ids are kept well beyond that.
KEEP_PROCESSED = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=6)
_SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Adapter(Protocol):
    framework: str
    api: TelegramApi

    async def open(self) -> None: ...

    def attach(self, handler: UpdateHandler) -> None: ...

    async def feed(self, data: dict[str, Any]) -> None: ...

    async def start_polling(self, timeout: int, allowed_updates: Sequence[str]) -> None: ...

    async def stop_receiving(self) -> None: ...

    async def close(self) -> None: ...


def bot_id_from_token(token: str) -> int:
    head, sep, rest = token.partition(":")
    if not sep or not head.isdigit() or not rest:
        raise ValueError("LINLI_TELEGRAM_TOKEN does not look like a bot token (123456789:AA...)")
    return int(head)


def webhook_secret(settings: Settings, installation_secret: str) -> str:
    """The X-Telegram-Bot-Api-Secret-Token every webhook call must carry.

    Left unset, it is derived from the installation's secret, so the webhook is never open and
    every worker of the installation agrees on it without configuration.
    """
    configured = settings.telegram_webhook_secret
    if configured:
        if not _SECRET_CHARS.fullmatch(configured):
            raise ValueError("LINLI_TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return configured
    bot = settings.telegram_token.partition(":")[0]
    return hmac.new(installation_secret.encode(), f"telegram-webhook:{bot}".encode(),
                    hashlib.sha256).hexdigest()


def make_adapter(settings: Settings, *, polling: bool) -> Adapter:
    # Imported on choice: an installation on aiogram never loads PTB, and the other way round.
    if settings.telegram_framework == "ptb":
        from bot.channels.telegram.ptb_adapter import PtbAdapter

        return PtbAdapter(settings, polling=polling)
    from bot.channels.telegram.aiogram_adapter import AiogramAdapter

    return AiogramAdapter(settings)


class TelegramService:
    def __init__(self, rt: Runtime, adapter: Adapter, handler: UpdateHandler,
                 mode: Literal["polling", "webhook"]) -> None:
        self.rt = rt
        self.adapter = adapter
        self.handler = handler
        self.mode = mode
        # For the broadcaster.
        self.sender = TelegramSender(adapter.api, bot=str(handler.bot.id), limiter=rt.limiter)
        self._maintenance: asyncio.Task[None] | None = None
        self._stopped = False

    @property
    def framework(self) -> str:
        return self.adapter.framework

    @property
    def bot_id(self) -> int:
        return self.handler.bot.id

    async def feed_webhook(self, data: dict[str, Any]) -> None:
        """Handle one webhook update; returns after its effects are committed, raises if not."""
        await self.adapter.feed(data)

    async def send(self, chat_id: str, out: Outgoing) -> bool:
        """Send a message not in answer to anything; notifications go through the broadcaster
        (`rt.senders["telegram"]`) instead, which keeps them from being sent twice."""
        return await self.handler.send_all(plan(out, chat_id))

    async def download(self, file_id: str) -> bytes:
        """The bytes of a photo a resident sent (`Photo.ref` is its file_id)."""
        return await with_retry(lambda: self.adapter.api.download(file_id))

    def _start_maintenance(self) -> None:
        async def prune_forever() -> None:
            while True:
                await asyncio.sleep(PRUNE_EVERY.total_seconds())
                try:
                    await dedupe.prune(self.rt.db, datetime.now(timezone.utc) - KEEP_PROCESSED)
                except Exception:
                    log.exception("pruning processed telegram updates failed")

        self._maintenance = asyncio.create_task(prune_forever(), name="telegram-prune")

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.rt.extras.get(EXTRAS_KEY) is self:
            del self.rt.extras[EXTRAS_KEY]  # the webhook answers 503 from now on; Telegram re-sends
        if self.rt.senders.get("telegram") is self.sender:
            del self.rt.senders["telegram"]
        fetchers = self.rt.services.extra.get("file_fetchers")
        if isinstance(fetchers, dict) and fetchers.get("telegram") == self.download:
            del fetchers["telegram"]
        if self._maintenance is not None:
            self._maintenance.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._maintenance
        # No new updates, then let the ones in hand finish (they still send replies), then close.
        await self.adapter.stop_receiving()
        await self.handler.drain()
        await self.adapter.close()


async def start_telegram(rt: Runtime, *, polling_timeout: int = 30,
                         retry_delays: Sequence[float] = (0.5, 2.0, 5.0)) -> TelegramService:
    """Connect to the Bot API and start receiving updates. The service is kept in
    `rt.extras["telegram"]` (for the webhook route), its sender in `rt.senders["telegram"]`
    (for the broadcaster: start this before the broadcaster takes its copy of `rt.senders`)."""
    s = rt.settings
    if not s.telegram_token:
        raise ValueError("LINLI_TELEGRAM_TOKEN is not set")
    token_bot_id = bot_id_from_token(s.telegram_token)
    webhook = bool(s.telegram_webhook_url)
    secret = webhook_secret(s, rt.services.secret) if webhook else ""
    adapter = make_adapter(s, polling=not webhook)
    try:
        await adapter.open()
        me = await with_retry(adapter.api.get_me)
        if me.id != token_bot_id:
            raise ValueError(f"the Bot API at {s.telegram_api_base} answers as bot {me.id}, "
                             f"not {token_bot_id}")
        handler = UpdateHandler(rt, adapter.api, me, retry_delays)
        adapter.attach(handler)
        try:
            await with_retry(lambda: set_menu(adapter.api, rt.dispatcher))
        except Exception:  # the menu is a convenience; the bot works without it
            log.exception("setting the telegram command menu failed")
        if webhook:
            await with_retry(lambda: adapter.api.set_webhook(s.telegram_webhook_url, secret, ALLOWED_UPDATES))
        else:
            # Telegram refuses getUpdates while a webhook is set (e.g. left by an earlier setup).
            await with_retry(adapter.api.delete_webhook)
        await dedupe.prune(rt.db, datetime.now(timezone.utc) - KEEP_PROCESSED)
    except BaseException:
        await adapter.close()
        raise
    service = TelegramService(rt, adapter, handler, "webhook" if webhook else "polling")
    rt.extras[EXTRAS_KEY] = service
    rt.senders["telegram"] = service.sender
    rt.services.extra.setdefault("file_fetchers", {})["telegram"] = service.download
    if not webhook:
        await adapter.start_polling(polling_timeout, ALLOWED_UPDATES)
    service._start_maintenance()
    log.info("telegram bot @%s (%s) receiving by %s", me.username, adapter.framework, service.mode)
    return service
