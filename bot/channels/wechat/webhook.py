"""The Official Account webhook: GET /wechat (URL verification) and POST /wechat (pushes).

A push is answered within the reply budget (4.5 s of WeChat's 5) with a passive reply,
encrypted in safe mode. When the conversation core needs longer, the push is answered
"success" at once and the reply follows as customer-service messages. Each push is handled
once: its key is written in the same transaction as its effects, through the dispatcher's
`record` hook. See docs/wechat.md.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.wechat import store
from bot.channels.wechat.client import WechatClient
from bot.channels.wechat.convert import (
    Delivery,
    ImagePart,
    TextPart,
    convert,
    dedupe_key,
    opens_window,
    plan,
    text_reply_xml,
)
from bot.channels.wechat.crypto import CryptoError, MessageCrypto, signature_ok
from bot.channels.wechat.sender import WechatSender
from bot.channels.wechat.settings import WechatSettings
from bot.channels.wechat.wire import MAX_BODY, BadXml, parse_xml
from bot.runtime import Runtime
from handlers.messages import Incoming, Outgoing

log = logging.getLogger(__name__)

LATE_FAILURE = "抱歉，系统开了个小差，刚才的消息没有处理成功，请再发一次。"


@dataclass
class Turn:
    """The outcome of one push: what the passive reply says and what must be sent later."""

    passive: str | None = None
    later: list[Delivery] = field(default_factory=list)
    duplicate: bool = False


class WechatChannel:
    def __init__(self, rt: Runtime, settings: WechatSettings | None = None, *,
                 client: WechatClient | None = None, clock: Callable[[], float] = time.time) -> None:
        self.rt = rt
        self.settings = settings or WechatSettings.from_settings(rt.settings)
        self.token = rt.settings.wechat_token
        self.appid = rt.settings.wechat_appid
        # Safe mode needs the EncodingAESKey; without it only plain-mode pushes are accepted.
        self.crypto = (MessageCrypto(self.token, rt.settings.wechat_aes_key, self.appid)
                       if rt.settings.wechat_aes_key else None)
        self.client = client or WechatClient(self.appid, self.settings.app_secret,
                                             self.settings.api_base)
        self.clock = clock
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- checks ----------------------------------------------------------------------------
    def fresh(self, timestamp: str) -> bool:
        try:
            ts = int(timestamp)
        except ValueError:
            return False
        return abs(self.clock() - ts) <= self.settings.max_age_seconds

    # -- one push --------------------------------------------------------------------------
    async def respond(self, msg: dict[str, str], deadline: float) -> str | None:
        """The passive reply's text, or None to answer "success"."""
        openid = msg.get("FromUserName", "")
        key = dedupe_key(msg)
        seen, options = await store.lookup(self.rt.db, key, openid)
        if seen is not None:
            return seen.reply  # WeChat re-sent it: the same answer again, no second effect
        # When the user wrote (the 48-hour window): in the turn's own transaction, or alone.
        wrote = self.wrote_at(msg.get("CreateTime", "")) if opens_window(msg) else None
        converted = convert(msg, options)
        if converted.incoming is None:
            if wrote is not None:
                await self.touch(openid, *wrote)
            return converted.notice
        task = self._spawn(self._turn(converted.incoming, key, wrote))
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            turn = await asyncio.wait_for(asyncio.shield(task), timeout=max(remaining, 0.0))
        except (TimeoutError, asyncio.CancelledError) as e:
            # Too slow (or WeChat hung up): the answer goes as customer-service messages.
            self._spawn(self._finish_late(task, key, openid))
            if isinstance(e, asyncio.CancelledError):
                raise
            return None
        if turn.later:
            self._spawn(self.deliver(turn.later))
        return turn.passive

    def wrote_at(self, create_time: str) -> tuple[datetime, datetime]:
        """(when the user wrote, now): the earlier of WeChat's time and ours, never late."""
        now = self.clock()
        try:
            at = min(float(create_time), now)
        except ValueError:
            at = now
        return datetime.fromtimestamp(at, timezone.utc), datetime.fromtimestamp(now, timezone.utc)

    async def touch(self, openid: str, at: datetime, now: datetime) -> None:
        """Record when the user wrote; their held notifications go back in the queue."""
        requeued = await store.touch(self.rt.db, openid, at, now)
        if requeued:
            log.info("%d held notifications to %s queued again", requeued, openid)

    async def _turn(self, incoming: Incoming, key: str,
                    wrote: tuple[datetime, datetime] | None = None) -> Turn:
        turn = Turn()

        async def record(session: AsyncSession, inc: Incoming, replies: list[Outgoing]) -> None:
            if wrote is not None:  # with the turn's effects: no extra transaction on the way
                requeued = await store.touch_in(session, inc.sender_id, *wrote)
                if requeued:
                    log.info("%d held notifications to %s queued again", requeued, inc.sender_id)
            deliveries = plan(replies, inc.sender_id, links=self.settings.menu_links)
            mine = deliveries.get(inc.sender_id)
            passive = mine.passive_text if mine is not None else None
            await store.remember_turn(session, key, inc.sender_id, passive, deliveries.values(),
                                      datetime.now(timezone.utc))
            turn.passive = passive
            turn.later = [d for d in deliveries.values()
                          if d.parts and not (d.openid == inc.sender_id and passive is not None)]

        try:
            await self.rt.dispatcher.handle(incoming, record=record)
        except store.Duplicate:
            # A concurrent delivery of the same push won: answer as it did.
            return Turn(passive=await store.stored_reply(self.rt.db, key), duplicate=True)
        return turn

    async def _finish_late(self, task: asyncio.Task[Turn], key: str, openid: str) -> None:
        try:
            turn = await task
        except Exception:
            # WeChat was told "success" and will not re-send: tell the resident instead.
            log.exception("WeChat message from %s failed after the reply budget", openid)
            await self.deliver([Delivery(openid, [TextPart(LATE_FAILURE)])])
            return
        if turn.duplicate:
            return
        later = list(turn.later)
        if turn.passive is not None:
            await store.forget_reply(self.rt.db, key)
            later.insert(0, Delivery(openid, [TextPart(turn.passive)]))
        await self.deliver(later)

    # -- customer-service messages ---------------------------------------------------------
    async def deliver(self, deliveries: list[Delivery]) -> None:
        """Send as customer-service messages, in order; a user WeChat refuses is skipped."""
        for d in deliveries:
            try:
                for part in d.parts:
                    if isinstance(part, TextPart):
                        await self.client.send_text(d.openid, part.text)
                    elif isinstance(part, ImagePart):
                        media_id = await self.client.upload_image(
                            part.image.filename, part.image.content_type, part.image.data)
                        await self.client.send_image(d.openid, media_id)
            except Exception:
                log.exception("customer-service message to %s not sent", d.openid)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        # Keep a reference: the loop holds tasks weakly, and shutdown waits for these.
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for answers still being worked out or sent."""
        while self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            if pending:
                log.warning("%d WeChat answers still pending at shutdown", len(pending))
                return

    async def aclose(self) -> None:
        await self.drain(timeout=15)
        await self.client.aclose()


def make_router(rt: Runtime, *, settings: WechatSettings | None = None,
                client: WechatClient | None = None,
                clock: Callable[[], float] = time.time) -> APIRouter:
    channel = WechatChannel(rt, settings, client=client, clock=clock)
    rt.extras["wechat"] = channel
    sender = None
    if channel.settings.app_secret:  # notifications need the customer-service API
        sender = WechatSender(rt.db, channel.client, links=channel.settings.menu_links)
        rt.senders["wechat"] = sender

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if sender is not None and rt.senders.get("wechat") is sender:
            del rt.senders["wechat"]
        await channel.aclose()

    r = APIRouter(lifespan=lifespan)

    def refuse(status: int, why: str) -> Response:
        log.warning("WeChat webhook refused (%d): %s", status, why)
        return PlainTextResponse(why, status_code=status)

    @r.get("/wechat", include_in_schema=False)
    async def verify_url(signature: str = "", timestamp: str = "", nonce: str = "",
                         echostr: str = "", msg_signature: str | None = None) -> Response:
        if not channel.token:
            return refuse(404, "WeChat is not configured")
        if msg_signature is not None:  # safe mode: the echo string comes encrypted
            if channel.crypto is None:
                return refuse(403, "safe mode without LINLI_WECHAT_AES_KEY")
            if not signature_ok(msg_signature, channel.token, timestamp, nonce, echostr):
                return refuse(403, "bad signature")
            try:
                return PlainTextResponse(channel.crypto.decrypt(echostr))
            except CryptoError:
                return refuse(403, "bad echostr")
        if not signature_ok(signature, channel.token, timestamp, nonce):
            return refuse(403, "bad signature")
        return PlainTextResponse(echostr)

    @r.post("/wechat", include_in_schema=False)
    async def receive(request: Request, signature: str = "", timestamp: str = "", nonce: str = "",
                      encrypt_type: str = "", msg_signature: str = "") -> Response:
        deadline = asyncio.get_running_loop().time() + channel.settings.reply_budget_seconds
        if not channel.token:
            return refuse(404, "WeChat is not configured")
        length = request.headers.get("content-length") or "0"
        if not length.isdigit() or int(length) > MAX_BODY:
            return refuse(413, "too large")
        safe = encrypt_type.lower() == "aes"
        body = await request.body()
        try:
            if safe:
                if channel.crypto is None:
                    return refuse(403, "safe mode without LINLI_WECHAT_AES_KEY")
                encrypted = parse_xml(body).get("Encrypt", "")
                if not signature_ok(msg_signature, channel.token, timestamp, nonce, encrypted):
                    return refuse(403, "bad signature")
                msg = parse_xml(channel.crypto.decrypt(encrypted))
            else:
                if not signature_ok(signature, channel.token, timestamp, nonce):
                    return refuse(403, "bad signature")
                msg = parse_xml(body)
        except (BadXml, CryptoError) as e:
            return refuse(400, f"unreadable message: {e}")
        if not channel.fresh(timestamp):
            return refuse(403, "stale timestamp (check the server clock)")
        try:
            text = await channel.respond(msg, deadline)
        except Exception:
            # Nothing was applied; an error status makes WeChat re-send the push.
            log.exception("WeChat message failed")
            return PlainTextResponse("error", status_code=500)
        if not text:
            return PlainTextResponse("success")
        now = int(channel.clock())
        xml = text_reply_xml(msg.get("FromUserName", ""), msg.get("ToUserName", ""), text, now)
        if safe:
            assert channel.crypto is not None
            xml = channel.crypto.seal(xml, str(now), nonce)
        return Response(xml, media_type="application/xml")

    return r
