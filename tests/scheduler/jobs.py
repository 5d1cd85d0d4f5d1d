"""Job functions for the scheduler tests: they leave traces a test can count."""
from __future__ import annotations

import os

from bot.scheduler import JobContext


def _append(path: str, line: str) -> None:
    # One small O_APPEND write per run: lines from concurrent writers never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def append_sync(ctx: JobContext, path: str) -> None:
    _append(path, ctx.scheduler_id)


async def append_async(ctx: JobContext, path: str) -> None:
    _append(path, ctx.scheduler_id)


async def fail_async(ctx: JobContext) -> None:
    raise RuntimeError("this job always fails")


def fail_sync(ctx: JobContext) -> None:
    raise ValueError("this sync job always fails")
