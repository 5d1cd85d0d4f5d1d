"""POST /telegram/webhook: Telegram's webhook on the same web app as the web chat.

An update is acknowledged (200) only after its effects are committed. A failure answers 500,
so Telegram sends the update again; the processed-id table makes that re-delivery, and any
duplicate, change nothing twice.
"""
from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.channels.telegram.service import EXTRAS_KEY, TelegramService, webhook_secret
from bot.config import Settings
from bot.runtime import Runtime

log = logging.getLogger(__name__)

DEFAULT_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # updates are a few KB; anything this big is not from Telegram


def webhook_path(settings: Settings) -> str:
    """The path of LINLI_TELEGRAM_WEBHOOK_URL, so the URL given to Telegram is the one served."""
    path = urlsplit(settings.telegram_webhook_url).path.rstrip("/")
    return path or DEFAULT_PATH


def make_router(rt: Runtime) -> APIRouter:
    router = APIRouter()
    expected = webhook_secret(rt.settings, rt.services.secret).encode()

    @router.post(webhook_path(rt.settings), include_in_schema=False)
    async def telegram_webhook(request: Request) -> JSONResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        service = rt.extras.get(EXTRAS_KEY)
        if not isinstance(service, TelegramService) or service.mode != "webhook":
            # Starting or stopping: Telegram keeps the update and tries again.
            return JSONResponse({"error": "telegram channel not running"}, status_code=503)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "too large"}, status_code=413)
        try:
            data = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "not JSON"}, status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return JSONResponse({"error": "not a Telegram update"}, status_code=400)
        try:
            await service.feed_webhook(data)
        except Exception:
            log.exception("telegram update %s failed; Telegram will send it again", data["update_id"])
            return JSONResponse({"error": "not processed"}, status_code=500)
        return JSONResponse({})

    return router
