"""A local receiver on 127.0.0.1 for office deliveries: a signed webhook that dedupes by
X-Linli-Delivery (as a real receiver should), a WeCom group robot and a Telegram Bot API, each
recording what it got. It can be "down" (503) and can hold one request open (to kill the sender
while the call is in flight)."""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.office_delivery import DELIVERY_HEADER, SIGNATURE_HEADER, verify


@dataclass
class Hit:
    key: str
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    secret: str = "s3cret"
    down: bool = False
    hold_at: int | None = None  # hold the n-th webhook request (1-based) open after recording it
    held: asyncio.Event = field(default_factory=asyncio.Event)
    raw: list[Hit] = field(default_factory=list)  # every request that reached the webhook
    accepted: dict[str, bytes] = field(default_factory=dict)  # key -> body, first time only
    refused_while_down: int = 0
    wecom: list[dict[str, Any]] = field(default_factory=list)
    wecom_answers: list[dict[str, Any]] = field(default_factory=list)  # next answers, then errcode 0
    telegram: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        app.router.add_post("/wecom", self._wecom)
        app.router.add_post("/tg/bot{token}/sendMessage", self._telegram)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def times(self, key: str) -> int:
        return sum(1 for h in self.raw if h.key == key)

    async def _hook(self, request: web.Request) -> web.Response:
        if self.down:
            self.refused_while_down += 1
            return web.Response(status=503)
        body = await request.read()
        key = request.headers.get(DELIVERY_HEADER, "")
        ok = verify(self.secret, body, request.headers.get(SIGNATURE_HEADER))
        self.raw.append(Hit(key, body, ok))
        if not ok:
            return web.Response(status=401)
        self.accepted.setdefault(key, body)  # a repeat of a key is acknowledged, not applied again
        if self.hold_at is not None and len(self.raw) == self.hold_at:
            self.held.set()
            await asyncio.sleep(3600)  # the sender is killed while waiting for this answer
        return web.json_response({"ok": True})

    async def _wecom(self, request: web.Request) -> web.Response:
        self.wecom.append(await request.json())
        answer = self.wecom_answers.pop(0) if self.wecom_answers else {"errcode": 0, "errmsg": "ok"}
        return web.json_response(answer)

    async def _telegram(self, request: web.Request) -> web.Response:
        data = json.loads(await request.read())
        self.telegram.append({"token": request.match_info["token"], **data})
        return web.json_response({"ok": True, "result": {"message_id": len(self.telegram)}})
