"""The broadcaster: delivers queued notifications (core.notify) to each chat account.

Channels whose transcript lives in our own database (web chat, console) are delivered in the same
transaction that marks the delivery sent: exactly once. Platform channels register a `Sender`;
a delivery is marked "sending" and committed before the platform is called, so a crash can never
send it twice (one that died mid-call is left "sending" for review, not re-sent blindly).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models.notifications import Delivery, Notification
from storage.repositories.conversation import ConversationRepository

log = logging.getLogger(__name__)

TRANSCRIPT_CHANNELS = ("web", "console")
MAX_ATTEMPTS = 8


class Blocked(Exception):
    """The person blocked the bot (Telegram 403): stop writing to this account."""


class RetryAfter(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Sender(Protocol):
    async def send(self, chat_id: str, body: dict[str, Any]) -> None: ...


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

    async def run_once(self) -> int:
        """Deliver what is due now; returns how many deliveries were completed."""
        done = 0
        async with self.db.session() as s:
            due = list(await s.scalars(
                select(Delivery).where(Delivery.status == "pending",
                                       or_(Delivery.next_attempt_at.is_(None),
                                           Delivery.next_attempt_at <= self.clock()))
                .order_by(Delivery.id).limit(self.batch)))
            bodies = await _bodies(s, due)
            for d in due:
                if d.channel in TRANSCRIPT_CHANNELS:
                    await ConversationRepository(s).add_transcript(d.channel, d.chat_id, "out",
                                                                   render_body(bodies[d.notification_id]))
                    d.status, d.sent_at, d.attempts = "sent", self.clock(), d.attempts + 1
                    done += 1
                elif d.channel in self.senders:
                    d.status = "sending"
            platform = [(d.id, d.channel, d.chat_id, bodies[d.notification_id]) for d in due
                        if d.status == "sending"]
        for delivery_id, channel, chat_id, body in platform:
            done += await self._send_one(delivery_id, channel, chat_id, body)
        return done

    async def _send_one(self, delivery_id: int, channel: str, chat_id: str, body: dict[str, Any]) -> int:
        status, error, delay = "sent", None, 0.0
        try:
            await self.senders[channel].send(chat_id, body)
        except Blocked:
            status = "blocked"
        except RetryAfter as e:
            status, delay, error = "pending", e.seconds, str(e)
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
                    d.status = "failed"
                else:
                    d.status = "pending"
                    d.next_attempt_at = self.clock() + timedelta(seconds=delay or min(2 ** d.attempts, 600))
            else:
                d.status = status
                d.sent_at = self.clock() if status == "sent" else None
                if status == "blocked":
                    from storage.models import ChatIdentity

                    ident = await s.get(ChatIdentity, d.identity_id)
                    if ident is not None:
                        ident.active = False
        return 1 if status == "sent" else 0

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


async def _bodies(s: AsyncSession, due: list[Delivery]) -> dict[int, dict[str, Any]]:
    ids = {d.notification_id for d in due}
    if not ids:
        return {}
    rows = await s.execute(select(Notification.id, Notification.body).where(Notification.id.in_(ids)))
    return {i: b for i, b in rows.tuples()}
