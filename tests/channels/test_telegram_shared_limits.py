"""The reply path with LINLI_REDIS_URL: replies book the bot's shared limits in Redis (the same
keys the broadcaster books), so one chat gets a short burst, then one message a second."""
from __future__ import annotations

import time

import redis.asyncio as redis

from bot.ratelimit import RedisLimiter
from tests.channels import updates as tg
from tests.channels.conftest import Starter
from tests.ratelimit.conftest import prefix, redis_url  # noqa: F401  (fixtures)


async def test_replies_keep_to_the_shared_per_chat_limit(
        start: Starter, redis_url: str, prefix: str) -> None:  # noqa: F811
    bot = await start(redis_url=redis_url, redis_prefix=prefix)
    assert isinstance(bot.rt.limiter, RedisLimiter)
    fei = tg.user(7009001, "飞", "张")
    arrived = []
    for i in range(5):
        await bot.exchange(tg.message(900 + i, fei, f"/echo {i}"), fei["id"])
        arrived.append(time.monotonic())
    assert [c.text for c in bot.fake.sent(fei["id"])] == [f"echo {i}" for i in range(5)]
    # Three at once (Telegram tolerates short bursts), then the chat's 1/s: the 4th and 5th
    # replies came at least about 1 s and 2 s after the first.
    assert arrived[3] - arrived[0] >= 0.9 and arrived[4] - arrived[0] >= 1.9
    r = redis.Redis.from_url(redis_url)
    try:
        keys = {k.decode() async for k in r.scan_iter(match=prefix + "*")}
    finally:
        await r.aclose()
    # Booked in Redis under the bot's keys (they expire a second after they stop restricting).
    assert keys <= {f"{prefix}rl:telegram:7123456789", f"{prefix}rl:telegram:7123456789:{fei['id']}"}
