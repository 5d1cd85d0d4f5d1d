"""APScheduler's AsyncIOScheduler, with its job-store work moved off the event loop.

APScheduler 3 reads and writes its (synchronous) SQLAlchemy job store from `wakeup()`, on the
event loop. On SQLite that deadlocks: the store waits for the write lock while one of our own async
sessions holds it, and that session cannot finish because the loop is blocked (measured: the store
gives up after the busy timeout with "database is locked", and the uncaught error leaves the
scheduler with no timer, i.e. stopped for good). On PostgreSQL a slow network would stall every
request the same way. So here the store is processed in a worker thread; the loop only sets the
timer and starts the job tasks; a processing error is logged and retried.

This relies on APScheduler 3.x internals (`_process_jobs`, `_start_timer`, `_stop_timer`,
`_do_submit_job`), stable across 3.6-3.11.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler, run_in_event_loop
from apscheduler.schedulers.base import STATE_STOPPED

log = logging.getLogger("linli.scheduler")


class LoopExecutor(AsyncIOExecutor):
    """Accepts jobs from the processing thread and starts them on the event loop."""

    def _do_submit_job(self, job: Any, run_times: Any) -> None:
        self._eventloop.call_soon_threadsafe(super()._do_submit_job, job, run_times)


class OffLoopScheduler(AsyncIOScheduler):
    def __init__(self, *, error_retry_seconds: float = 5.0, **options: Any) -> None:
        super().__init__(**options)
        self.error_retry_seconds = error_retry_seconds
        self._processing: asyncio.Task[None] | None = None
        self._again = False

    def _create_default_executor(self) -> LoopExecutor:
        return LoopExecutor()

    @run_in_event_loop
    def wakeup(self) -> None:
        self._stop_timer()
        if self._processing is not None and not self._processing.done():
            self._again = True  # something changed while processing: go round once more
            return
        self._processing = self._eventloop.create_task(self._process_off_loop())

    async def _process_off_loop(self) -> None:
        wait: float | None = None
        while True:
            self._again = False
            try:
                wait = await asyncio.to_thread(self._process_jobs)
            except Exception:
                log.exception("processing scheduled jobs failed; retrying in %.0fs",
                              self.error_retry_seconds)
                wait = self.error_retry_seconds
            if not self._again:
                break
        if self.state != STATE_STOPPED and self._eventloop is not None:
            self._start_timer(wait)

    async def drain(self, timeout: float) -> None:
        """Wait for a round of processing in flight (before shutting the store down)."""
        if self._processing is not None and not self._processing.done():
            await asyncio.wait({self._processing}, timeout=timeout)
