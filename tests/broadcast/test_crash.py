"""A broadcaster killed mid-run and started again sends nothing twice and loses nothing it knows of.

The run is `python -m bot.commands.broadcast run` (= `linli broadcast run`), SIGKILLed halfway.
"""
from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from bench.fake_telegram import EnforcingBotApi
from bot.broadcast import DEFAULT_LIMITS, Broadcaster, requeue_stale
from bot.channels.telegram.sender import TelegramSender
from storage.db import Database
from storage.models.notifications import Delivery
from tests.broadcast.conftest import WORKER, limits, queue, residents, statuses, worker_env


async def _worker(db_url: str, fake: EnforcingBotApi) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(*WORKER, "run", "--no-progress", "--rate", "9",
                                                env=worker_env(db_url, fake),
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_killed_at_half_and_restarted(db_url: str, db: Database, fake: EnforcingBotApi) -> None:
    chats = list(range(9001, 9041))
    await queue(db, await residents(db, chats), "notice:crash")
    proc = await _worker(db_url, fake)
    await fake.wait_for(lambda: len(fake.accepted) >= 20, timeout=60)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    await asyncio.sleep(0.2)
    first_run = Counter(a.chat_id for a in fake.accepted)
    assert 20 <= len(first_run) < 40
    after_kill = await statuses(db)
    unknown = {int(c) for c, [st] in after_kill.items() if st == "sending"}
    assert len(unknown) <= DEFAULT_LIMITS["telegram"].in_flight  # at most the sends in flight
    # Everything the log calls sent did arrive; nothing still pending arrived.
    assert {int(c) for c, [st] in after_kill.items() if st == "sent"} <= set(first_run)
    assert not {int(c) for c, [st] in after_kill.items() if st == "pending"} & set(first_run)

    proc = await _worker(db_url, fake)
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    assert proc.returncode == 0, err.decode()
    per_chat = Counter(a.chat_id for a in fake.accepted)
    assert max(per_chat.values()) == 1  # nothing sent twice
    final = await statuses(db)
    assert {int(c) for c, [st] in final.items() if st == "sent"} == set(chats) - unknown
    assert {int(c) for c, [st] in final.items() if st == "sending"} == unknown  # left for review
    # Lost: neither received nor held for review.
    assert set(chats) - set(per_chat) - unknown == set()
    if unknown:
        assert "结果不明" in err.decode()


async def test_a_send_in_doubt_is_never_resent_automatically(
        db: Database, fake: EnforcingBotApi, sender: TelegramSender) -> None:
    await queue(db, await residents(db, [9101, 9102]), "notice:doubt")
    claimed = datetime.now(timezone.utc) - timedelta(hours=2)
    async with db.session() as s:
        await s.execute(update(Delivery).where(Delivery.chat_id == "9101")
                        .values(status="sending", next_attempt_at=claimed))
    b = Broadcaster(db, {"telegram": sender}, limits=limits(rate=20, per_chat=1.0))
    assert await b.drain() == 1
    assert [c.chat_id for c in fake.sent()] == [9102]
    # The operator's decision: claimed two hours ago, so no broadcaster is still on it.
    async with db.session() as s:
        assert await requeue_stale(s, timedelta(hours=3), datetime.now(timezone.utc)) == 0
        assert await requeue_stale(s, timedelta(minutes=30), datetime.now(timezone.utc)) == 1
    assert await b.drain() == 1
    assert sorted(c.chat_id for c in fake.sent()) == [9101, 9102]
    async with db.session() as s:
        assert {d.chat_id: d.status for d in await s.scalars(select(Delivery))} == {"9101": "sent", "9102": "sent"}
