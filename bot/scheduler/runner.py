"""The one function the job store refers to: it runs a job's function and contains its failures.

The store pickles (function reference, args, kwargs). Settings and the database cannot be pickled,
so a job carries only the key of its installation's context, which the leader registers here.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from bot.scheduler.spec import resolve

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.db import Database

log = logging.getLogger("linli.scheduler")


@dataclass
class JobStats:
    runs: int = 0
    failures: int = 0
    last_error: str | None = None
    last_finished: datetime | None = None


@dataclass
class JobContext:
    """What a job function receives first: the installation it works for."""

    settings: Settings
    db: Database
    scheduler_id: str  # who is leader, for logs and the heartbeat
    stats: dict[str, JobStats] = field(default_factory=dict)
    running: set[asyncio.Task[None]] = field(default_factory=set)


_contexts: dict[str, JobContext] = {}


def register(key: str, ctx: JobContext) -> None:
    _contexts[key] = ctx


def unregister(key: str, ctx: JobContext) -> None:
    if _contexts.get(key) is ctx:
        del _contexts[key]


async def run_job(job_id: str, func: str, context_key: str, **kwargs: object) -> None:
    """Run one job; log and count a failure instead of raising, so nothing else is affected."""
    ctx = _contexts.get(context_key)
    if ctx is None:
        # Only a leader that has stepped down can get here: its scheduler is shutting down.
        log.warning("job %s fired without a leader context; skipped", job_id)
        return
    stats = ctx.stats.setdefault(job_id, JobStats())
    task = asyncio.current_task()
    if task is not None:
        ctx.running.add(task)  # type: ignore[arg-type]
    started = time.monotonic()
    try:
        target = resolve(func)
        if inspect.iscoroutinefunction(target):
            await target(ctx, **kwargs)
        else:
            # Sync jobs (file work, blocking clients) must not stall the event loop.
            result = await asyncio.to_thread(target, ctx, **kwargs)
            if inspect.isawaitable(result):
                await result
        stats.runs += 1
        log.debug("job %s done in %.2fs", job_id, time.monotonic() - started)
    except Exception as e:
        stats.runs += 1
        stats.failures += 1
        stats.last_error = f"{type(e).__name__}: {e}"
        log.exception("job %s failed after %.2fs", job_id, time.monotonic() - started)
    finally:
        stats.last_finished = datetime.now(timezone.utc)
        if task is not None:
            ctx.running.discard(task)  # type: ignore[arg-type]
