"""Shared send limits (bot/ratelimit.py): the GCRA math on a frozen clock, then the Lua script on
the real Redis, with two limiters in one process and with two processes."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.ratelimit import LocalLimiter, RedisLimiter, Rule, acquire, telegram_rules

ROOT = Path(__file__).resolve().parent.parent.parent


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def max_in_window(times: Sequence[float], window: float) -> int:
    """The most moments in any half-open window [t, t + window)."""
    ts = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(ts):
        while ts[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


RATE = Rule("bot", 0.1, reserve=True)  # 10/s, evenly spaced


async def test_reserved_slots_are_evenly_spaced_and_idle_time_earns_no_burst() -> None:
    clock = Clock()
    lim = LocalLimiter(clock)
    waits = [round((await lim.book([RATE])).wait, 6) for _ in range(4)]
    assert waits == [0.0, 0.1, 0.2, 0.3]  # booked in turn, at the steady rate
    clock.now += 5.0  # a quiet spell
    waits = [round((await lim.book([RATE])).wait, 6) for _ in range(2)]
    assert waits == [0.0, 0.1]  # burst 1: no credit for the quiet time


async def test_a_burst_then_the_steady_rate() -> None:
    clock = Clock()
    lim = LocalLimiter(clock)
    rule = Rule("chat", 1.0, burst=3, reserve=True)
    assert [(await lim.book([rule])).wait for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 2.0]
    clock.now += 10.0
    assert [(await lim.book([rule])).wait for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]


async def test_a_busy_chat_books_nothing_and_does_not_delay_the_others() -> None:
    clock = Clock()
    lim = LocalLimiter(clock)
    a, b = Rule("bot:a", 1.0), Rule("bot:b", 1.0)
    first = await lim.book([RATE, a])
    assert first.booked and first.wait == 0.0
    again = await lim.book([RATE, a])  # chat a was written to just now: ask again in 1 s
    assert not again.booked and again.wait == pytest.approx(1.0)
    other = await lim.book([RATE, b])  # chat b takes the next overall slot, not one after 1 s
    assert other.booked and other.wait == pytest.approx(0.1)
    clock.now += 1.0
    retry = await lim.book([RATE, a])
    assert retry.booked and retry.wait == 0.0


async def test_telegram_rules() -> None:
    overall, chat = telegram_rules("7123", "42")
    assert overall.reserve and overall.interval == pytest.approx(1 / 30) and overall.burst == 1
    assert not chat.reserve and chat.interval == 1.0 and chat.key == "telegram:7123:42"
    _, group = telegram_rules("7123", "-100200")
    assert group.interval == 3.0 and group.burst == 1  # 20 per minute, any minute


# -- the real Redis --------------------------------------------------------------------------
async def test_redis_math_matches_the_local_one(redis_url: str, prefix: str) -> None:
    lim = RedisLimiter(redis_url, prefix)
    try:
        rule = Rule("r", 0.25, burst=2, reserve=True)
        got = [await lim.book([rule]) for _ in range(5)]
        assert all(b.booked for b in got)
        start = got[0].at
        # Two at once (the burst), then one every 0.25 s; the calls themselves take a little time.
        offsets = [b.at - start for b in got]
        assert offsets[:2] == [pytest.approx(0.0, abs=0.02)] * 2
        assert [round(o - offsets[1], 3) for o in offsets[2:]] == pytest.approx([0.25, 0.5, 0.75], abs=0.02)
        busy = await lim.book([Rule("r2", 1.0, reserve=True), Rule("c", 5.0)])
        assert busy.booked
        refused = await lim.book([Rule("r2", 1.0, reserve=True), Rule("c", 5.0)])
        assert not refused.booked and 4.9 < refused.wait <= 5.0
        # Refused: the shared rate's next slot was not taken by it.
        assert 0.9 < (await lim.book([Rule("r2", 1.0, reserve=True)])).wait <= 1.0
    finally:
        await lim.aclose()


async def test_two_limiters_together_keep_to_the_rate_and_each_chat_spacing(
        redis_url: str, prefix: str) -> None:
    """Two workers' limiters, sending concurrently to overlapping chats."""
    rate = 40.0
    sent: list[tuple[str, float]] = []

    async def worker(name: str, n: int) -> None:
        lim = RedisLimiter(redis_url, prefix)
        try:
            async def one(i: int) -> None:
                chat = str(i % 6)  # the two workers write to the same six chats
                at = await acquire(lim, [Rule("bot", 1 / rate, reserve=True), Rule(f"bot:{chat}", 0.5)])
                sent.append((chat, at))

            await asyncio.gather(*(one(i) for i in range(n)))
        finally:
            await lim.aclose()

    await asyncio.gather(worker("a", 24), worker("b", 24))
    assert len(sent) == 48
    moments = [at for _, at in sent]
    assert max_in_window(moments, 1.0) <= rate
    assert max_in_window(moments, 0.25) <= rate / 4  # evenly spaced, not bunched within the second
    for chat in {c for c, _ in sent}:
        times = sorted(at for c, at in sent if c == chat)
        assert min(b - a for a, b in zip(times, times[1:])) >= 0.5 - 1e-6
    # Limited by the chats (8 sends each, 0.5 s apart), not held back further.
    assert max(moments) - min(moments) < 8 * 0.5 + 1.0


async def test_two_processes_together_never_exceed_the_rate(redis_url: str, prefix: str) -> None:
    rate, n = 25.0, 30
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "tests.ratelimit.worker", redis_url, prefix, str(n), str(rate)]
    procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    per_process = [[int(line) / 1_000_000 for line in out.split()] for out in outs]
    assert [len(m) for m in per_process] == [n, n]
    moments = sorted(per_process[0] + per_process[1])
    # Each process alone would send at the full rate; together they share it.
    assert max_in_window(moments, 1.0) <= rate
    gaps = [b - a for a, b in zip(moments, moments[1:])]
    assert min(gaps) >= 1 / rate - 1e-6
    # Both processes' sends interleave within the same span.
    spans = [(min(m), max(m)) for m in per_process]
    assert spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1]


async def test_without_redis_the_process_keeps_its_own_limits() -> None:
    lim = RedisLimiter("redis://127.0.0.1:1/0", "x:", timeout=0.2)  # nothing listens on port 1
    try:
        first = await lim.book([RATE, Rule("bot:a", 1.0)])
        second = await lim.book([RATE, Rule("bot:b", 1.0)])
        again = await lim.book([RATE, Rule("bot:a", 1.0)])
    finally:
        await lim.aclose()
    assert first.booked and second.booked and 0.0 < second.wait <= 0.1  # the next overall slot
    assert not again.booked  # chat a's second message still waits its second
