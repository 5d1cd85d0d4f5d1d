"""Pacing: the channel's overall rate, spacing per chat and per group, a pause on "retry after"."""
from __future__ import annotations

import asyncio
import time

from bench.fake_telegram import EnforcingBotApi
from bot.broadcast import Broadcaster, ChannelLimits, Pacer
from bot.channels.telegram.sender import TelegramSender
from storage.db import Database
from tests.broadcast.conftest import limits, queue, residents, statuses


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def test_slots_are_evenly_spaced_and_chats_and_groups_spaced_further() -> None:
    pacer = Pacer(ChannelLimits(rate=40, per_chat=0.3, per_group=0.6))
    chats = ["1", "2", "1", "-5", "3", "-5", "1"]
    at: list[tuple[str, float]] = []
    for c in chats:
        await pacer.slot(c)
        at.append((c, time.monotonic()))
    gaps = [b - a for (_, a), (_, b) in zip(at, at[1:])]
    assert min(gaps) >= 1 / 40 - 0.002
    for chat, spacing in (("1", 0.3), ("-5", 0.6)):
        times = [t for c, t in at if c == chat]
        assert min(b - a for a, b in zip(times, times[1:])) >= spacing - 0.002


async def test_a_pause_holds_every_chat_of_the_channel() -> None:
    pacer = Pacer(ChannelLimits(rate=100))
    await pacer.slot("1")
    pacer.pause(0.4)
    start = time.monotonic()
    await pacer.slot("2")  # another chat: the whole channel waits
    assert time.monotonic() - start >= 0.39


async def test_calls_started_late_are_capped_per_sliding_second() -> None:
    # Slots came evenly, but the calls were held up (a slow commit) and would start together.
    pacer = Pacer(ChannelLimits(rate=1000, per_second=5))
    starts = []
    for i in range(12):
        await pacer.go(str(i))
        starts.append(time.monotonic())
    assert _max_in_window(starts) <= 5
    assert starts[5] - starts[0] >= 1.0


async def test_no_burst_after_a_quiet_spell() -> None:
    pacer = Pacer(ChannelLimits(rate=10))
    await pacer.slot("1")
    await asyncio.sleep(0.5)  # idle time earns no credit
    await pacer.slot("2")
    start = time.monotonic()
    await pacer.slot("3")
    assert time.monotonic() - start >= 0.09


async def test_the_fake_api_sees_the_rate_and_the_per_chat_spacing(
        db: Database, fake: EnforcingBotApi, sender: TelegramSender) -> None:
    # 24 chats, 6 of which get three notices: 36 messages at 8/s under the API's 10/s.
    chats = list(range(5001, 5025))
    people = await residents(db, chats)
    await queue(db, people, "notice:a")
    await queue(db, people[:6], "notice:b")
    await queue(db, people[:6], "notice:c")
    b = Broadcaster(db, {"telegram": sender}, limits=limits(rate=8, per_chat=1.05, in_flight=4))
    start = time.monotonic()
    assert await b.drain() == 36
    took = time.monotonic() - start
    calls = fake.calls_to("sendMessage")
    assert fake.refused_429 == 0 and len(calls) == 36
    # Sent at 8/s; arrivals may bunch by a message when the machine is busy (network and event-loop
    # jitter), never beyond the API's own 10/s, which also answered no 429 above.
    arrivals = [a.at for a in fake.accepted]
    assert _max_in_window(arrivals) <= 10
    gap = fake.min_gap_per_chat()
    assert gap is not None and gap >= 0.9
    assert took >= 35 / 8 - 0.1  # paced, not sent in a burst ...
    assert took <= 36 / 8 + 6  # ... and a repeated chat does not hold up the others (36 / 1.05 s if it did)
    assert set(map(tuple, (await statuses(db)).values())) == {("sent",), ("sent", "sent", "sent")}
