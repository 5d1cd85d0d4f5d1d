"""The real Redis for the shared limiter's tests: LINLI_TEST_REDIS_URL, by default the local one.

Set explicitly (as CI does once it started Redis), an unreachable Redis fails the tests; left
unset, they run whenever the local Redis answers.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

DEFAULT_URL = "redis://127.0.0.1:6379/0"


async def _reachable(url: str) -> str | None:
    import redis.asyncio as redis

    r = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        await r.ping()
        return None
    except Exception as e:  # refused, timed out, auth: say which
        return repr(e)
    finally:
        await r.aclose()


@pytest.fixture
async def redis_url() -> str:
    url = os.environ.get("LINLI_TEST_REDIS_URL") or DEFAULT_URL
    problem = await _reachable(url)
    if problem is not None:
        if os.environ.get("LINLI_TEST_REDIS_URL"):
            pytest.fail(f"LINLI_TEST_REDIS_URL={url} is set but Redis does not answer: {problem}")
        pytest.skip(f"no Redis at {url} ({problem}); set LINLI_TEST_REDIS_URL to require it")
    return url


@pytest.fixture
async def prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are removed afterwards."""
    import redis.asyncio as redis

    p = f"linli-test:{uuid.uuid4().hex}:"
    yield p
    r = redis.Redis.from_url(redis_url)
    keys = [k async for k in r.scan_iter(match=p + "*")]
    if keys:
        await r.delete(*keys)
    await r.aclose()
