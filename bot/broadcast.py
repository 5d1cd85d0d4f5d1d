"""The broadcaster: delivers queued notifications (core.notify) to each chat account.

Channels whose transcript lives in our own database (web chat, console) are delivered in the same
transaction that marks the delivery sent: exactly once.

Platform channels register a `Sender` and are paced by `ChannelLimits`: evenly spaced slots for
the channel's overall rate, a minimum spacing per chat (longer for groups), a bounded number of
sends in flight (so the rate is reachable with network latency), and a channel-wide pause when
the platform answers "retry after" (Telegram 429).

Crash safety (at most once): a delivery is claimed — `pending` → `sending`, a conditional UPDATE,
committed, with the claim time in `next_attempt_at` — only once its slot has come, immediately
before the platform call, and is marked `sent` right after. A crash therefore leaves at most the sends in flight as `sending`. The
platforms Linli writes to take no idempotency key, so we cannot know whether such a message
arrived; those rows are never re-sent automatically (that could send twice). `linli broadcast
status` lists them and `linli broadcast requeue-stale` puts them back, at the operator's word.

Held: a platform that accepts messages to a chat only for a while after the person last wrote
(WeChat's 48-hour customer-service window) makes its sender report the chats outside it
(`WindowedSender.closed`, checked before pacing) or refuse at send time (`Held`). Such a delivery is marked
`held` with the reason, counted like any finished delivery, and not retried: the channel puts it
back in the queue when the person writes again (bot/channels/wechat/store.py `touch`).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts import attach_images
from bot.ratelimit import Limiter, Rule, acquire
from handlers.messages import Attachment, Button, Outgoing
from storage.db import Database
from storage.models.notifications import Delivery, Notification
from storage.repositories.conversation import ConversationRepository

log = logging.getLogger(__name__)

TRANSCRIPT_CHANNELS = ("web", "console")
MAX_ATTEMPTS = 8


class Blocked(Exception):
    """The person blocked the bot (Telegram 403): stop writing to this account."""


class Held(Exception):
    """The platform takes no message to this chat now (e.g. outside WeChat's 48-hour window)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryAfter(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Sender(Protocol):
    async def send(self, chat_id: str, body: dict[str, Any]) -> None: ...


class LimitedSender(Sender, Protocol):
    """A sender whose platform limits are shared with other processes (bot.ratelimit)."""

    def rules(self, chat_id: str) -> list[Rule]: ...


class WindowedSender(Sender, Protocol):
    """A sender whose platform only accepts messages within a window after the person wrote."""

    reason: str  # why a chat outside the window is held, for the send log

    async def closed(self, chat_ids: list[str], now: datetime) -> set[str]:
        """The chats that cannot be written to at `now`."""


@dataclass(frozen=True)
class ChannelLimits:
    """How fast one platform lets a bot write."""

    rate: float  # messages per second over the whole channel, evenly spaced
    per_chat: float = 0.0  # minimum seconds between two messages to one private chat
    per_group: float = 0.0  # minimum seconds between two messages to one group
    in_flight: int = 8  # platform calls awaiting an answer at once
    # Hard cap of calls started in any sliding second (None: none). Slots are evenly spaced, but
    # the claim's commit between slot and call varies; this keeps that jitter from bunching
    # calls into one second above the platform's limit (each 429 costs a whole pause).
    per_second: int | None = None

    def spacing(self, chat_id: str) -> float:
        # Telegram group and supergroup ids are negative.
        return self.per_group if chat_id.startswith("-") else self.per_chat


# Telegram: ~30 messages/s per bot (paced at 29, never more than 30 started in one second), 1/s per chat,
# 20/min per group. WeCom group robot: 20/min. WeChat customer-service messages: the platform's
# own per-account quota; its 48-hour window is the WeChat sender's `closed` (see Held above).
DEFAULT_LIMITS: dict[str, ChannelLimits] = {
    "telegram": ChannelLimits(rate=29.0, per_chat=1.0, per_group=3.0, in_flight=16, per_second=30),
    "wecom": ChannelLimits(rate=20 / 60, per_chat=3.0, per_group=3.0, in_flight=1),
    "wechat": ChannelLimits(rate=20.0, per_chat=0.0, per_group=0.0, in_flight=8),
}
FALLBACK_LIMITS = ChannelLimits(rate=10.0, per_chat=1.0, per_group=3.0, in_flight=4)
# Head room for what happens between our clock and the platform's (event loop, network).
MARGIN = 0.02
_FORGET_AFTER = 10_000  # chats remembered before old entries are dropped


class Pacer:
    """Evenly spaced send slots for one channel, per-chat spacing, and a channel-wide pause.

    `slot()` orders the work (taken before a delivery is claimed); `go()` is the last check
    right before the platform call, against the times calls really started.
    """

    def __init__(self, limits: ChannelLimits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.now = monotonic
        self._next = 0.0  # the earliest time of the next slot
        self._paused_until = 0.0
        self._chat_ready: dict[str, float] = {}
        self._chat_started: dict[str, float] = {}
        self._started: deque[float] = deque(maxlen=limits.per_second or 1)
        self._lock = asyncio.Lock()

    def chat_ready_at(self, chat_id: str) -> float:
        return self._chat_ready.get(chat_id, 0.0)

    def pause(self, seconds: float) -> None:
        """The platform said "retry after": nobody on this channel sends before then."""
        self._paused_until = max(self._paused_until, self.now() + seconds)

    async def slot(self, chat_id: str) -> None:
        """Wait for this channel's next slot; the chat may not be written to again for a while."""
        async with self._lock:
            while True:
                at = max(self._next, self._paused_until, self.chat_ready_at(chat_id))
                wait = at - self.now()
                if wait <= 0:
                    break
                await asyncio.sleep(wait)  # a pause may have grown meanwhile: look again
            now = self.now()
            # No credit for idle time: slots after a quiet spell are spaced too, never a burst.
            self._next = max(self._next, now) + 1.0 / self.limits.rate
            _remember(self._chat_ready, chat_id, now + self.limits.spacing(chat_id), now)

    async def go(self, chat_id: str) -> None:
        """Wait (rarely, briefly) until a call to this chat keeps to every limit, and count it."""
        cap = self.limits.per_second
        while True:
            at = self._paused_until
            if cap and len(self._started) >= cap:
                at = max(at, self._started[0] + 1.0 + MARGIN)
            last = self._chat_started.get(chat_id)
            if last is not None:
                at = max(at, last + self.limits.spacing(chat_id) + MARGIN)
            wait = at - self.now()
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        now = self.now()  # no await since the check: no other call slipped in
        self._started.append(now)
        _remember(self._chat_started, chat_id, now, now - max(self.limits.per_chat, self.limits.per_group))


def _remember(times: dict[str, float], chat_id: str, at: float, forget_before: float) -> None:
    """Keep a time per chat, dropping the ones that no longer restrict anything."""
    if len(times) >= _FORGET_AFTER:
        for k in [k for k, t in times.items() if t < forget_before]:
            del times[k]
    times[chat_id] = at


@dataclass(frozen=True)
class Due:
    id: int
    channel: str
    chat_id: str
    body: dict[str, Any]


def outgoing(body: dict[str, Any]) -> Outgoing:
    """A notification body ({text, buttons: [[{label, payload}]]}) as a reply.

    An image the broadcaster has drawn (bot.charts.attach_images: {"filename", "content_type",
    "data"}) goes out as a photo; an unresolved reference is dropped, the text carries the message.
    """
    rows = tuple(tuple(Button(str(b["label"]), str(b["payload"])) for b in row)
                 for row in body.get("buttons") or [])
    img = body.get("image")
    image = (Attachment(str(img.get("filename") or "image.png"), str(img.get("content_type") or "image/png"),
                        img["data"]) if isinstance(img, dict) and isinstance(img.get("data"), bytes) else None)
    return Outgoing(str(body.get("text") or ""), rows, image=image)


def render_body(body: dict[str, Any]) -> dict[str, Any]:
    """Resolve references in a body (e.g. a vote's chart) into what the web page can show."""
    out = dict(body)
    img = body.get("image")
    if isinstance(img, dict) and img.get("chart") == "vote":
        out["image"] = {"filename": f"vote-{img['vote_id']}.png", "content_type": "image/png",
                        "url": f"/charts/vote/{img['vote_id']}.png"}
    return out


@dataclass
class Broadcaster:
    db: Database
    senders: dict[str, Sender]
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    batch: int = 200
    limits: dict[str, ChannelLimits] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    # Called once per completed delivery (sent, held, blocked or given up): drives a progress bar.
    on_done: Callable[[str], None] | None = None
    # Limits shared with other workers and with the reply path (Redis), on top of this process's
    # own pacing; for senders that name their rules (LimitedSender).
    limiter: Limiter | None = None
    _pacers: dict[str, Pacer] = field(default_factory=dict, init=False, repr=False)

    def pacer(self, channel: str) -> Pacer:
        if channel not in self._pacers:
            self._pacers[channel] = Pacer(self.limits.get(channel, FALLBACK_LIMITS))
        return self._pacers[channel]

    async def run_once(self) -> int:
        """Deliver what is due now; returns how many deliveries were sent."""
        done = 0
        async with self.db.session() as s:
            due = list(await s.scalars(
                select(Delivery).where(Delivery.status == "pending",
                                       or_(Delivery.next_attempt_at.is_(None),
                                           Delivery.next_attempt_at <= self.clock()),
                                       Delivery.channel.in_([*TRANSCRIPT_CHANNELS, *self.senders]))
                .order_by(Delivery.id).limit(self.batch)
                # Another worker's pass skips the rows this one holds (PostgreSQL; SQLite passes are
                # already serialised by BEGIN IMMEDIATE), so web transcripts get each notice once.
                .with_for_update(skip_locked=True)))
            bodies = await _bodies(s, due)
            drawn: dict[int, dict[str, Any]] = {}
            platform: dict[str, list[Due]] = {}
            for d in due:
                if d.channel in TRANSCRIPT_CHANNELS:
                    await ConversationRepository(s).add_transcript(d.channel, d.chat_id, "out",
                                                                   render_body(bodies[d.notification_id]))
                    d.status, d.sent_at, d.attempts = "sent", self.clock(), d.attempts + 1
                    done += 1
                else:
                    if d.notification_id not in drawn:  # platforms need image bytes, not a URL
                        drawn[d.notification_id] = await attach_images(s, bodies[d.notification_id])
                    platform.setdefault(d.channel, []).append(
                        Due(d.id, d.channel, d.chat_id, drawn[d.notification_id]))
        for _ in range(done):
            self._done("sent")
        for channel, rows in platform.items():
            platform[channel] = await self._hold_closed(channel, rows)
        results = await asyncio.gather(*(self._channel_pass(ch, rows) for ch, rows in platform.items()))
        return done + sum(results)

    async def _hold_closed(self, channel: str, rows: list[Due]) -> list[Due]:
        """Mark `held` the rows whose chat the platform would refuse now; return the others.

        Checked before pacing, so a run over many unreachable chats costs no send slots.
        """
        closed_fn = getattr(self.senders[channel], "closed", None)
        if closed_fn is None or not rows:
            return rows
        closed = await closed_fn(sorted({r.chat_id for r in rows}), self.clock())
        if not closed:
            return rows
        reason = str(getattr(self.senders[channel], "reason", "held"))
        held_ids = [r.id for r in rows if r.chat_id in closed]
        async with self.db.session() as s:
            # Only rows still pending: another worker may have taken some meanwhile.
            result = await s.execute(update(Delivery).where(Delivery.id.in_(held_ids), Delivery.status == "pending")
                                     .values(status="held", next_attempt_at=None, error=reason))
        for _ in range(int(result.rowcount or 0)):  # type: ignore[attr-defined]
            self._done("held")
        return [r for r in rows if r.chat_id not in closed]

    async def _channel_pass(self, channel: str, rows: list[Due]) -> int:
        """Send one channel's due rows in slot order; a chat not yet ready waits, others go on."""
        pacer = self.pacer(channel)
        room = asyncio.Semaphore(pacer.limits.in_flight)
        tasks: list[asyncio.Task[int]] = []
        waiting = list(rows)
        while waiting:
            now = pacer.now()
            i = next((k for k, r in enumerate(waiting) if pacer.chat_ready_at(r.chat_id) <= now), None)
            if i is None:
                await asyncio.sleep(max(0.0, min(pacer.chat_ready_at(r.chat_id) for r in waiting) - now))
                continue
            row = waiting.pop(i)
            await room.acquire()
            await pacer.slot(row.chat_id)
            tasks.append(asyncio.create_task(self._claim_and_send(row, pacer, room)))
        return sum(await asyncio.gather(*tasks))

    async def _claim_and_send(self, row: Due, pacer: Pacer, room: asyncio.Semaphore) -> int:
        try:
            async with self.db.session() as s:
                claimed = await s.execute(update(Delivery)
                                          .where(Delivery.id == row.id, Delivery.status == "pending")
                                          .values(status="sending", next_attempt_at=self.clock()))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return 0  # another broadcaster took it
            await pacer.go(row.chat_id)
            rules = getattr(self.senders[row.channel], "rules", None)
            if self.limiter is not None and rules is not None:
                await acquire(self.limiter, rules(row.chat_id))
            return await self._send_one(row.id, row.channel, row.chat_id, row.body, pacer)
        finally:
            room.release()

    async def _send_one(self, delivery_id: int, channel: str, chat_id: str, body: dict[str, Any],
                        pacer: Pacer | None = None) -> int:
        status, error, delay = "sent", None, 0.0
        try:
            await self.senders[channel].send(chat_id, body)
        except Blocked:
            status = "blocked"
        except Held as e:
            status, error = "held", e.reason
        except RetryAfter as e:
            status, delay, error = "pending", e.seconds, str(e)
            if pacer is not None:
                pacer.pause(e.seconds)
        except Exception as e:  # a platform outage: retry with back-off
            log.warning("delivery %s failed: %s", delivery_id, e)
            status, error = "pending", repr(e)
        async with self.db.session() as s:
            d = await s.get(Delivery, delivery_id)
            assert d is not None
            d.attempts += 1
            d.error = error
            if status == "pending":
                if d.attempts >= MAX_ATTEMPTS:
                    d.status, d.next_attempt_at = "failed", None
                else:
                    d.status = "pending"
                    d.next_attempt_at = self.clock() + timedelta(seconds=delay or min(2 ** d.attempts, 600))
            else:
                d.status, d.next_attempt_at = status, None
                d.sent_at = self.clock() if status == "sent" else None
                if status == "blocked":
                    from storage.models import ChatIdentity

                    ident = await s.get(ChatIdentity, d.identity_id)
                    if ident is not None:
                        ident.active = False
            final = d.status
        if final != "pending":
            self._done(final)
        return 1 if status == "sent" else 0

    def _done(self, status: str) -> None:
        if self.on_done is not None:
            self.on_done(status)

    async def drain(self, stop: asyncio.Event | None = None) -> int:
        """Deliver until nothing is left pending on our channels, waiting out retries."""
        sent = 0
        while stop is None or not stop.is_set():
            sent += await self.run_once()
            wait = await self.next_due_in()
            if wait is None:
                break
            if wait > 0:
                await asyncio.sleep(min(wait, 5.0))
        return sent

    async def next_due_in(self) -> float | None:
        """Seconds until the next pending delivery is due (0: now), None when none is pending."""
        async with self.db.session() as s:
            row = (await s.execute(
                select(func.count(), func.min(Delivery.next_attempt_at),
                       func.count(Delivery.id).filter(Delivery.next_attempt_at.is_(None)))
                .where(Delivery.status == "pending",
                       Delivery.channel.in_([*TRANSCRIPT_CHANNELS, *self.senders])))).one()
        pending, earliest, immediate = row
        if not pending:
            return None
        if immediate or earliest is None:
            return 0.0
        if earliest.tzinfo is None:
            earliest = earliest.replace(tzinfo=timezone.utc)
        return max(0.0, (earliest - self.clock()).total_seconds())

    async def run_forever(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("broadcaster pass failed")
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except asyncio.TimeoutError:
                pass


async def counts(s: AsyncSession) -> dict[tuple[str, str], int]:
    """Deliveries by (channel, status): the send log at a glance."""
    rows = await s.execute(select(Delivery.channel, Delivery.status, func.count())
                           .group_by(Delivery.channel, Delivery.status))
    return {(ch, st): n for ch, st, n in rows.tuples()}


async def requeue_stale(s: AsyncSession, older_than: timedelta, now: datetime,
                        channel: str | None = None) -> int:
    """Put deliveries left `sending` by a crashed broadcaster back to `pending`.

    Their outcome is unknown (the platform may have shown the message): an operator's decision,
    accepting a possible duplicate over a possibly missed notice. While a row is `sending`, its
    `next_attempt_at` holds when it was claimed; `older_than` (far longer than any platform call)
    keeps the sends of a broadcaster that is still running out of it.
    """
    stale = select(Delivery.id).where(Delivery.status == "sending",
                                      Delivery.next_attempt_at <= now - older_than)
    if channel is not None:
        stale = stale.where(Delivery.channel == channel)
    ids = list(await s.scalars(stale))
    if ids:
        await s.execute(update(Delivery).where(Delivery.id.in_(ids), Delivery.status == "sending")
                        .values(status="pending", next_attempt_at=None,
                                error="requeued after an interrupted send"))
    return len(ids)


async def _bodies(s: AsyncSession, due: list[Delivery]) -> dict[int, dict[str, Any]]:
    ids = {d.notification_id for d in due}
    if not ids:
        return {}
    rows = await s.execute(select(Notification.id, Notification.body).where(Notification.id.in_(ids)))
    return {i: b for i, b in rows.tuples()}
