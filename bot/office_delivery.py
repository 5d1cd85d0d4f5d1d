"""The sender of the office outbox (core.tickets.outbox): ticket events to WeCom group robots,
signed HTTP webhooks and Telegram staff groups (a ticket's card posted once with its buttons, then
edited for each later event; core.tickets.staff_group).

Contract: at least once, with an idempotency key. A delivery is claimed — `pending` → `sending`,
a conditional UPDATE committed before the call, with a lease in `next_attempt_at` — then sent, then
marked `sent`. If the process dies between the call and the mark, the row stays `sending`; once
its lease has run out, any sender claims it again and re-sends it with the SAME key
(`X-Linli-Delivery` for webhooks; the key is also in the JSON body). Receivers that keep the keys
they have seen get every event exactly once; the lease (default 120 s, longer than the HTTP
timeout) keeps two live senders from sending the same row at once. WeCom robots and the Bot API
take no key: after such a crash a group may see one card twice; it is never lost.

Failures (network errors, 5xx, WeCom errcode != 0, Telegram ok=false) are retried with back-off
(base·2^(attempts−1), capped); 429 and WeCom's frequency limit (45009) wait a minute without
counting as an attempt. Each channel's `per_minute` limit (WeCom: 20/min per robot) is counted
from the rows sent or claimed in the last 60 s, so it holds across passes, processes and restarts.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from sqlalchemy import and_, func, or_, select, update

from bot.ratelimit import Limiter, acquire, make_limiter, telegram_rules, wecom_robot_rules
from core.tickets.outbox import card
from core.tickets.staff_group import card_in_channel, card_view, remember
from storage.db import Database
from storage.models.office_outbox import OfficeChannel, OfficeDelivery
from storage.models.tickets import TicketEvent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 30  # with the 15-minute cap: a channel may be down for about six hours
WECOM_FREQ_LIMIT = 45009
SIGNATURE_HEADER = "X-Linli-Signature"
DELIVERY_HEADER = "X-Linli-Delivery"


class DeliveryFailed(Exception):
    """The channel refused or could not be reached; retried with back-off."""


class RateLimited(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate limited, retry after {seconds:g}s")
        self.seconds = seconds


@dataclass(frozen=True)
class Due:
    id: int
    key: str
    payload: dict[str, Any]
    event_id: int = 0


@dataclass(frozen=True)
class PostedCard:
    """A ticket card posted to a Telegram group: remembered when the delivery is marked sent, so
    replies and buttons map back to the ticket and later events edit it."""

    ticket_id: int
    chat_id: int
    message_id: int


def sign(secret: str, body: bytes) -> str:
    """The X-Linli-Signature value: HMAC-SHA256 of the raw body with the channel's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """For receivers (and tests): constant-time check of X-Linli-Signature."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def webhook_body(key: str, payload: dict[str, Any]) -> bytes:
    return json.dumps({"delivery": key, **payload}, ensure_ascii=False, sort_keys=True).encode()


def wecom_body(payload: dict[str, Any]) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": card(payload).markdown()}}


def backoff(attempts: int, base: float = 2.0, cap: float = 900.0) -> float:
    return min(base * 2 ** max(attempts - 1, 0), cap)


@dataclass
class OfficeSender:
    db: Database
    http: httpx.AsyncClient
    telegram_api_base: str = "https://api.telegram.org"
    telegram_token: str = ""
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    lease: float = 120.0  # seconds a claim is honoured before another sender may re-send the row
    base_delay: float = 2.0
    max_delay: float = 900.0
    batch: int = 100
    # Limits shared with the broadcaster and the reply path (Redis): a Telegram group card counts
    # towards the bot's rate and the group's 20/min, a robot's card towards its 20/min.
    limiter: Limiter | None = None

    def kinds(self) -> list[str]:
        return ["wecom_robot", "webhook", *(["telegram_group"] if self.telegram_token else [])]

    async def run_once(self) -> int:
        """Send what is due now, within each channel's limit; returns how many were sent."""
        now = self.clock()
        due = or_(and_(OfficeDelivery.status == "pending",
                       or_(OfficeDelivery.next_attempt_at.is_(None), OfficeDelivery.next_attempt_at <= now)),
                  # A claim whose lease ran out: its sender died (or hung) mid-call.
                  and_(OfficeDelivery.status == "sending", OfficeDelivery.next_attempt_at <= now))
        async with self.db.session() as s:
            channels = list(await s.scalars(
                select(OfficeChannel).where(OfficeChannel.enabled.is_(True),
                                            OfficeChannel.kind.in_(self.kinds()))))
            work: list[tuple[OfficeChannel, list[Due]]] = []
            for ch in channels:
                room = max(ch.per_minute, 1) - await self._used(s, ch.id, now)
                if room <= 0:
                    continue
                rows = await s.scalars(select(OfficeDelivery).where(OfficeDelivery.channel_id == ch.id, due)
                                       .order_by(OfficeDelivery.id).limit(min(room, self.batch)))
                todo = [Due(r.id, r.idempotency_key, r.payload, r.ticket_event_id) for r in rows]
                if todo:
                    work.append((ch, todo))
        sent = await asyncio.gather(*(self._channel_pass(ch, rows, due) for ch, rows in work))
        return sum(sent)

    async def _used(self, s: Any, channel_id: int, now: datetime) -> int:
        """Calls made to the channel in the last minute: sent rows and claims in flight."""
        since = now - timedelta(seconds=60)
        n = await s.scalar(select(func.count()).select_from(OfficeDelivery).where(
            OfficeDelivery.channel_id == channel_id,
            or_(and_(OfficeDelivery.status == "sent", OfficeDelivery.sent_at > since),
                and_(OfficeDelivery.status == "sending", OfficeDelivery.next_attempt_at > now))))
        return int(n or 0)

    async def _channel_pass(self, ch: OfficeChannel, rows: list[Due], due: Any) -> int:
        """One channel's rows in order, one call at a time (a group reads them in event order)."""
        sent = 0
        for row in rows:
            async with self.db.session() as s:
                claimed = await s.execute(
                    update(OfficeDelivery).where(OfficeDelivery.id == row.id, due)
                    .values(status="sending", next_attempt_at=self.clock() + timedelta(seconds=self.lease)))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another sender took it
            outcome = await self._send_one(ch, row)
            if outcome == "sent":
                sent += 1
            elif outcome == "limited":
                break  # the channel said slow down: the rest wait for the next pass
        return sent

    async def _send_one(self, ch: OfficeChannel, row: Due) -> str:
        error: str | None = None
        delay: float | None = None
        limited = False
        posted: PostedCard | None = None
        try:
            posted = await self.send(ch, row)
        except RateLimited as e:
            error, delay, limited = str(e), e.seconds, True
        except Exception as e:  # outage or refusal: back off and try again
            log.warning("office delivery %s to channel %s failed: %r", row.key, ch.id, e)
            error = repr(e)[:500]
        async with self.db.session() as s:
            d = await s.get(OfficeDelivery, row.id)
            assert d is not None
            if error is None:
                d.status, d.sent_at, d.next_attempt_at, d.last_error = "sent", self.clock(), None, None
                d.attempts += 1
                if posted is not None:
                    await remember(s, ch.id, posted.ticket_id, posted.chat_id, posted.message_id)
                return "sent"
            d.last_error = error
            if limited:  # not the receiver's fault, not an attempt; the whole channel waits, in order
                until = self.clock() + timedelta(seconds=delay or 60)
                d.status, d.next_attempt_at = "pending", until
                await s.execute(update(OfficeDelivery).where(
                    OfficeDelivery.channel_id == ch.id, OfficeDelivery.status == "pending",
                    or_(OfficeDelivery.next_attempt_at.is_(None), OfficeDelivery.next_attempt_at < until))
                    .values(next_attempt_at=until))
                return "limited"
            d.attempts += 1
            if d.attempts >= MAX_ATTEMPTS:
                d.status, d.next_attempt_at = "failed", None
                return "failed"
            d.status = "pending"
            d.next_attempt_at = self.clock() + timedelta(seconds=backoff(d.attempts, self.base_delay, self.max_delay))
            return "retry"

    async def send(self, ch: OfficeChannel, row: Due) -> PostedCard | None:
        match ch.kind:
            case "webhook":
                await self._webhook(ch, row)
            case "wecom_robot":
                await self._wecom(ch, row)
            case "telegram_group":
                return await self._telegram(ch, row)
            case _:
                raise DeliveryFailed(f"unknown channel kind {ch.kind}")
        return None

    async def _webhook(self, ch: OfficeChannel, row: Due) -> None:
        body = webhook_body(row.key, row.payload)
        headers = {"Content-Type": "application/json; charset=utf-8", DELIVERY_HEADER: row.key}
        if ch.secret:
            headers[SIGNATURE_HEADER] = sign(ch.secret, body)
        r = await self.http.post(ch.target, content=body, headers=headers)
        if r.status_code == 429:
            raise RateLimited(_retry_after(r.headers.get("Retry-After")))
        if not 200 <= r.status_code < 300:
            raise DeliveryFailed(f"HTTP {r.status_code}")

    async def _wecom(self, ch: OfficeChannel, row: Due) -> None:
        # The robot's key is its webhook URL's secret part: keep it out of Redis key names.
        await acquire(self.limiter, wecom_robot_rules(hashlib.sha256(ch.target.encode()).hexdigest()[:16]))
        r = await self.http.post(ch.target, json=wecom_body(row.payload))
        if r.status_code == 429:
            raise RateLimited(_retry_after(r.headers.get("Retry-After")))
        if r.status_code != 200:
            raise DeliveryFailed(f"HTTP {r.status_code}")
        data = r.json()
        code = data.get("errcode", -1)
        if code == WECOM_FREQ_LIMIT:
            raise RateLimited(60.0)
        if code != 0:
            raise DeliveryFailed(f"errcode {code}: {data.get('errmsg', '')}")

    async def _telegram(self, ch: OfficeChannel, row: Due) -> PostedCard | None:
        """The ticket's card in the staff group: posted with its buttons on the ticket's first event
        in this group, edited in place for the next ones (a new card if the old one is gone)."""
        async with self.db.session() as s:
            event = await s.get(TicketEvent, row.event_id)
            ticket_id = event.ticket_id if event is not None else None
            old = await card_in_channel(s, ch.id, ticket_id) if ticket_id is not None else None
            card = (old.chat_id, old.message_id) if old is not None else None
            if card is not None and await self._newer_for_ticket(s, ch.id, row.id, ticket_id):
                return None  # a later event of the ticket will show the card as it is now
        view = card_view(row.payload, ticket_id)
        markup = {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in r]
                                      for r in view.buttons]}
        if card is not None:
            try:
                await self._bot_api("editMessageText", {"chat_id": card[0], "message_id": card[1],
                                                        "text": view.text, "reply_markup": markup})
                return None
            except DeliveryFailed as e:
                if "not modified" in str(e):  # already shows this (edited by the group flow)
                    return None
                if "not found" not in str(e) and "can't be edited" not in str(e):
                    raise
        result = await self._bot_api("sendMessage", {"chat_id": ch.target, "text": view.text,
                                                     "reply_markup": markup, "disable_web_page_preview": True})
        chat_id = (result.get("chat") or {}).get("id")
        if chat_id is None and ch.target.lstrip("-").isdigit():
            chat_id = int(ch.target)
        if ticket_id is None or chat_id is None or "message_id" not in result:
            return None
        return PostedCard(ticket_id, int(chat_id), int(result["message_id"]))

    @staticmethod
    async def _newer_for_ticket(s: Any, channel_id: int, delivery_id: int, ticket_id: int | None) -> bool:
        n = await s.scalar(select(func.count()).select_from(OfficeDelivery)
                           .join(TicketEvent, TicketEvent.id == OfficeDelivery.ticket_event_id)
                           .where(OfficeDelivery.channel_id == channel_id, OfficeDelivery.id > delivery_id,
                                  TicketEvent.ticket_id == ticket_id))
        return bool(n)

    async def _bot_api(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        # Posting and editing cards count against the group's limit, shared by every worker.
        await acquire(self.limiter, telegram_rules(self.telegram_token.partition(":")[0], str(params["chat_id"])))
        url = f"{self.telegram_api_base.rstrip('/')}/bot{self.telegram_token}/{method}"
        r = await self.http.post(url, json=params)
        data = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
        if r.status_code == 429 or data.get("error_code") == 429:
            raise RateLimited(float((data.get("parameters") or {}).get("retry_after", 60)))
        if r.status_code != 200 or not data.get("ok"):
            raise DeliveryFailed(f"HTTP {r.status_code}: {data.get('description', '')}")
        result = data.get("result")
        return result if isinstance(result, dict) else {}

    async def drain(self, idle: float = 0.2, stop: asyncio.Event | None = None,
                    until_empty: bool = True) -> int:
        """Send until nothing is pending or sending (or `stop` is set), waiting out back-off."""
        sent = 0
        while stop is None or not stop.is_set():
            sent += await self.run_once()
            if until_empty and await self.outstanding() == 0:
                break
            await asyncio.sleep(idle)
        return sent

    async def outstanding(self) -> int:
        async with self.db.session() as s:
            n = await s.scalar(select(func.count()).select_from(OfficeDelivery)
                               .where(OfficeDelivery.status.in_(("pending", "sending"))))
        return int(n or 0)


def _retry_after(value: str | None) -> float:
    try:
        return max(float(value or 60), 1.0)
    except ValueError:
        return 60.0


async def deliver_office_outbox(ctx: Any) -> None:
    """Scheduler job (bot.jobs): one pass over the office outbox, no waiting."""
    settings = ctx.settings
    limiter = make_limiter(settings.redis_url, settings.redis_prefix + "rl:")
    try:
        async with httpx.AsyncClient(timeout=15.0) as http:
            sender = OfficeSender(ctx.db, http, telegram_api_base=settings.telegram_api_base,
                                  telegram_token=settings.telegram_token, limiter=limiter)
            await sender.run_once()
    finally:
        if limiter is not None:
            await limiter.aclose()
