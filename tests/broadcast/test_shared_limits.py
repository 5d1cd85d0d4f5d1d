"""Two broadcasters sharing one bot's Telegram limits through Redis, against a fake Bot API that
refuses (429) above its rate: each paces itself below the API's rate, together they would be far
above it; the shared limiter keeps their sum under it. (Each has its own queue here, so that both
really send at full speed: workers on one queue split its rows between them.)"""
from __future__ import annotations

import asyncio

from bench.fake_telegram import EnforcingBotApi
from bot.broadcast import Broadcaster
from bot.channels.telegram.sender import TelegramSender
from bot.ratelimit import RedisLimiter
from storage.db import Database
from tests.conftest import Templates
from tests.broadcast.conftest import limits, queue, residents, statuses
from tests.ratelimit.conftest import prefix, redis_url  # noqa: F401  (fixtures)
from tests.ratelimit.test_limiter import max_in_window


async def test_two_broadcasters_share_the_rate_through_redis(
        db: Database, templates: Templates, fake: EnforcingBotApi, sender: TelegramSender,
        redis_url: str, prefix: str) -> None:  # noqa: F811
    other = Database(templates.sqlite_copy())
    chats = list(range(8001, 8033))
    await queue(db, await residents(db, chats[:16]), "notice:shared")
    await queue(other, await residents(other, chats[16:]), "notice:shared")
    shared = TelegramSender(sender.api, bot="7123456789", per_second=7.0)  # the API allows 10/s
    limiters = [RedisLimiter(redis_url, prefix), RedisLimiter(redis_url, prefix)]
    try:
        # Each worker alone paces itself at 7/s: two would send 14/s without sharing.
        workers = [Broadcaster(d, {"telegram": shared}, limits=limits(rate=7, per_chat=1.0, in_flight=4),
                               limiter=lim) for d, lim in zip((db, other), limiters)]
        sent = await asyncio.gather(*(w.drain() for w in workers))
        assert set(map(tuple, (await statuses(other)).values())) == {("sent",)}
    finally:
        for lim in limiters:
            await lim.aclose()
        await other.dispose()
    assert sent == [16, 16]
    assert fake.refused_429 == 0
    assert max_in_window([a.at for a in fake.accepted], 1.0) <= 8  # 7/s booked; arrival jitter
    assert set(map(tuple, (await statuses(db)).values())) == {("sent",)}
