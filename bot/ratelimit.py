"""Platform send limits shared by every sender of an installation: GCRA (generic cell rate
algorithm) over one or more keys at once.

A `Rule` says "at most one send per `interval` seconds on `key`, with `burst` allowed at once
after a quiet spell" (burst 1: evenly spaced, so any window of length `interval * n` holds at
most n sends). `book(rules)` finds the earliest moment every rule allows, moves each key's
theoretical arrival time (TAT) past it, and returns how long to wait; the caller sleeps, then
calls the platform. Booking is atomic, so concurrent callers get distinct, conforming moments.

Two kinds of keys: a `reserve` key (the bot's overall rate) hands out later slots in turn, so
callers queue for it; any other key (one chat) must allow the send now, else nothing is booked
and the caller is told when to ask again. A send held back by one busy chat therefore never
pushes the shared rate's slots into the future for everybody else.

`LocalLimiter` keeps the TATs in this process (the embedded default, one worker).
`RedisLimiter` keeps them in Redis and books with one Lua script using Redis's own clock, so
several workers on several hosts together keep to the limit (LINLI_REDIS_URL).
"""
from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

# Telegram (per bot): about 30 messages/s overall, 1/s to one chat (short bursts tolerated, so a
# reply in several parts is not held back), 20/min to one group (evenly spaced: any minute holds
# at most 20).
TELEGRAM_PER_SECOND = 30.0
TELEGRAM_CHAT_INTERVAL = 1.0
TELEGRAM_CHAT_BURST = 3
TELEGRAM_GROUP_INTERVAL = 3.0
# A WeCom group robot: 20 messages/min.
WECOM_ROBOT_INTERVAL = 3.0


@dataclass(frozen=True)
class Rule:
    key: str
    interval: float  # seconds per send at the steady rate (1 / rate)
    burst: int = 1  # sends allowed back to back after a quiet spell
    reserve: bool = False  # queue for later slots (True) or require the send to conform now

    @property
    def tolerance(self) -> float:
        """How far ahead of its TAT a send may go (GCRA's τ)."""
        return (max(self.burst, 1) - 1) * self.interval


def telegram_rules(bot: str, chat_id: str, per_second: float = TELEGRAM_PER_SECOND) -> list[Rule]:
    """The rules one Telegram send must keep: the bot's overall rate and the chat's own."""
    chat = (Rule(f"telegram:{bot}:{chat_id}", TELEGRAM_GROUP_INTERVAL) if chat_id.startswith("-")  # a group
            else Rule(f"telegram:{bot}:{chat_id}", TELEGRAM_CHAT_INTERVAL, TELEGRAM_CHAT_BURST))
    return [Rule(f"telegram:{bot}", 1.0 / per_second, reserve=True), chat]


def wecom_robot_rules(robot: str) -> list[Rule]:
    return [Rule(f"wecom:{robot}", WECOM_ROBOT_INTERVAL, reserve=True)]


@dataclass(frozen=True)
class Booking:
    wait: float  # seconds from now: until the booked send (booked) or until asking again
    at: float  # that moment on the limiter's clock
    booked: bool


def gcra(tats: Sequence[float], rules: Sequence[Rule], now: float) -> tuple[Booking, list[float]]:
    """GCRA over several keys: the booking and each key's TAT afterwards.

    A key's TAT is when its next send would be exactly on the steady rate; a send at `go`
    conforms when go >= TAT - tolerance; after it, TAT = max(TAT, go) + interval.
    (Mirrored in `_BOOK_LUA` below; keep the two alike.)
    """
    current = [max(t, now) for t in tats]
    ready = max([now, *(t - r.tolerance for t, r in zip(current, rules) if not r.reserve)])
    if ready > now:  # a non-reserving key (a chat) is busy: book nothing, ask again then
        return Booking(ready - now, ready, False), list(tats)
    go = max([now, *(t - r.tolerance for t, r in zip(current, rules) if r.reserve)])
    return Booking(go - now, go, True), [max(t, go) + r.interval for t, r in zip(current, rules)]


class Limiter(Protocol):
    async def book(self, rules: Sequence[Rule]) -> Booking: ...

    async def aclose(self) -> None: ...


async def acquire(limiter: Limiter | None, rules: Sequence[Rule]) -> float:
    """Wait until a send under `rules` keeps to every limit (no limiter: at once); returns the
    booked moment on the limiter's clock (0.0 without one)."""
    if limiter is None or not rules:
        return 0.0
    while True:
        b = await limiter.book(rules)
        if b.wait > 0:
            await asyncio.sleep(b.wait)
        if b.booked:
            return b.at


class LocalLimiter:
    """The limits kept in this process only."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, forget_after: int = 10_000) -> None:
        self.clock = clock
        self.forget_after = forget_after
        self._tats: dict[str, float] = {}

    async def book(self, rules: Sequence[Rule]) -> Booking:
        # No await between reading and writing the TATs: atomic within the event loop.
        now = self.clock()
        booking, new = gcra([self._tats.get(r.key, now) for r in rules], rules, now)
        if len(self._tats) >= self.forget_after:
            # A TAT in the past restricts nothing: forgetting it changes no decision.
            self._tats = {k: t for k, t in self._tats.items() if t > now}
        for r, t in zip(rules, new):
            self._tats[r.key] = t
        return booking

    async def aclose(self) -> None:
        return None


# Times in integer microseconds of Redis's clock (exact in Lua's doubles for centuries), so
# workers on several hosts agree on "now". KEYS: one per rule. ARGV: interval (µs), tolerance
# (µs) and reserve (1/0) per key. Returns {wait µs, moment µs, booked 1/0}.
_BOOK_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ready, go = now, now
local tats = {}
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  local earliest = tat - tonumber(ARGV[3 * i - 1])
  if ARGV[3 * i] == '1' then
    if earliest > go then go = earliest end
  elseif earliest > ready then
    ready = earliest
  end
end
if ready > now then
  return {ready - now, ready, 0}
end
for i, key in ipairs(KEYS) do
  local tat = tats[i]
  if go > tat then tat = go end
  tat = tat + tonumber(ARGV[3 * i - 2])
  -- Kept only while it restricts anything, plus a second.
  redis.call('SET', key, string.format('%d', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
end
return {go - now, go, 1}
"""


class RedisLimiter:
    """The limits kept in Redis: every worker pointing at the same Redis shares them.

    Keys are `<prefix><rule key>`; all keys of one booking must live on one Redis node (a
    single instance, or a cluster with one hash tag in the prefix, e.g. "{linli}:rl:").

    If Redis cannot be reached, bookings fall back to this process's own limits (logged): a
    Redis outage must not stop replies or notifications, only their coordination.
    """

    def __init__(self, url: str, prefix: str = "linli:rl:", timeout: float = 1.0) -> None:
        import redis.asyncio as redis

        self.redis = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.prefix = prefix
        self._script = self.redis.register_script(_BOOK_LUA)
        self._fallback = LocalLimiter()
        self._warned_at = -math.inf

    async def book(self, rules: Sequence[Rule]) -> Booking:
        from redis.exceptions import RedisError

        keys = [self.prefix + r.key for r in rules]
        args: list[int] = []
        for r in rules:
            args += [_us(r.interval), _us(r.tolerance), int(r.reserve)]
        try:
            wait_us, at_us, booked = await self._script(keys=keys, args=args)
        except (RedisError, OSError) as e:
            if time.monotonic() - self._warned_at > 60:
                self._warned_at = time.monotonic()
                log.warning("Redis unavailable for send limits (%r); keeping this process's own", e)
            return await self._fallback.book(rules)
        return Booking(int(wait_us) / 1_000_000, int(at_us) / 1_000_000, bool(booked))

    async def ping(self) -> None:
        await self.redis.ping()

    async def aclose(self) -> None:
        await self.redis.aclose()


def _us(seconds: float) -> int:
    # Rounded up: a limit is never loosened by rounding.
    return math.ceil(seconds * 1_000_000)


def make_limiter(redis_url: str, prefix: str = "linli:rl:") -> Limiter | None:
    """The shared limiter when Redis is configured; None otherwise, where the broadcaster paces
    itself in process and replies are not paced (a rare "retry after" is waited out)."""
    return RedisLimiter(redis_url, prefix) if redis_url else None
