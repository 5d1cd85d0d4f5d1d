"""One process sending through the shared limiter, as a worker would: `python -m
tests.ratelimit.worker URL PREFIX N RATE`. Each send waits for its booking; the booked moments
(Redis clock, µs) are printed one per line."""
from __future__ import annotations

import asyncio
import sys
import uuid

from bot.ratelimit import RedisLimiter, Rule, acquire


async def main(url: str, prefix: str, n: int, rate: float) -> None:
    limiter = RedisLimiter(url, prefix)
    me = uuid.uuid4().hex[:6]
    try:
        for i in range(n):
            # The bot's overall rate, and each message to a chat of its own.
            at = await acquire(limiter, [Rule("bot", 1.0 / rate, reserve=True), Rule(f"chat:{me}:{i}", 1.0)])
            print(round(at * 1_000_000), flush=True)
    finally:
        await limiter.aclose()


if __name__ == "__main__":
    url, prefix, n, rate = sys.argv[1:5]
    asyncio.run(main(url, prefix, int(n), float(rate)))
