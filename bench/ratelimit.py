"""What a shared send limit costs: bookings per second and latency of one booking, in process and
through Redis (one Lua script per send), with no limit binding (every send to its own chat, the
overall rate far above what is booked).

    .venv/bin/python bench/ratelimit.py [--redis redis://127.0.0.1:6379/0] [--n 5000] [--concurrency 16]

Prints one line per limiter: bookings/s, p50 and p99 of one booking in ms.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

from bot.ratelimit import Limiter, LocalLimiter, RedisLimiter, Rule


async def run(limiter: Limiter, n: int, concurrency: int) -> tuple[float, float, float]:
    latencies: list[float] = []
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            t = time.perf_counter()
            b = await limiter.book([Rule("bot", 1e-6, reserve=True), Rule(f"bot:{i}", 1.0)])
            latencies.append(time.perf_counter() - t)
            assert b.booked

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    took = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return n / took, q[49] * 1000, q[98] * 1000


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=16)
    a = ap.parse_args()
    print(f"{a.n} bookings, concurrency {a.concurrency}")
    rate, p50, p99 = await run(LocalLimiter(), a.n, a.concurrency)
    print(f"in process  {rate:10,.0f} bookings/s  p50 {p50:.3f} ms  p99 {p99:.3f} ms")
    prefix = f"linli-bench:{uuid.uuid4().hex}:"
    redis_limiter = RedisLimiter(a.redis, prefix)
    try:
        await redis_limiter.redis.ping()
        rate, p50, p99 = await run(redis_limiter, a.n, a.concurrency)
        print(f"Redis       {rate:10,.0f} bookings/s  p50 {p50:.3f} ms  p99 {p99:.3f} ms")
    finally:
        keys = [k async for k in redis_limiter.redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis_limiter.redis.delete(*keys)
        await redis_limiter.aclose()


if __name__ == "__main__":
    asyncio.run(main())
