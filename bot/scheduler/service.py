"""`LinliScheduler`: every process may run one; only the elected leader schedules jobs."""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import STATE_STOPPED
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from bot.config import Settings
from bot.scheduler import runner
from bot.scheduler.aps import OffLoopScheduler
from bot.scheduler.leader import LeaderLock, make_lock, sqlite_file
from bot.scheduler.runner import JobContext, JobStats
from bot.scheduler.spec import JobSpec, resolve
from storage.db import Database, is_sqlite, sync_url

log = logging.getLogger("linli.scheduler")

JOBS_TABLE = "apscheduler_jobs"
RUN_JOB = "bot.scheduler.runner:run_job"


def context_key(settings: Settings) -> str:
    """Stable per database (and free of its password): stored in every job's arguments."""
    shown = sync_url(settings.database_url).render_as_string(hide_password=True)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def job_store(settings: Settings) -> SQLAlchemyJobStore:
    url = sync_url(settings.database_url)
    if is_sqlite(url) and sqlite_file(settings.database_url) is None:
        # Store work runs in worker threads; one shared connection keeps one in-memory database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif is_sqlite(url):
        # The application writes with BEGIN IMMEDIATE; wait for it like the rest of Linli does.
        engine = create_engine(url, connect_args={"timeout": 15})
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)
    return SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)


class LinliScheduler:
    """APScheduler with a persistent job store, run by whichever process holds the leader lock.

    `start()` tries once at once (so `is_leader` is known when it returns), then a standby retries
    every `retry_seconds` and a leader checks its lock every `check_seconds`.
    """

    def __init__(self, settings: Settings, specs: Sequence[JobSpec], *, db: Database | None = None,
                 scheduler_id: str | None = None, retry_seconds: float = 5.0,
                 check_seconds: float = 5.0, stop_grace_seconds: float = 10.0) -> None:
        ids = [s.id for s in specs]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate job ids: {sorted({i for i in ids if ids.count(i) > 1})}")
        for spec in specs:
            resolve(spec.func)  # a typo in a spec fails here, at start-up, not at 3 a.m.
        self.settings = settings
        self.specs = list(specs)
        self.scheduler_id = (scheduler_id
                             or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self.stop_grace_seconds = stop_grace_seconds
        self.stats: dict[str, JobStats] = {}
        self.terms = 0  # how many times this process became leader
        self._db = db
        self._own_db = db is None
        self._key = context_key(settings)
        self._lock: LeaderLock = make_lock(settings, self.scheduler_id)
        self._aps: OffLoopScheduler | None = None
        self._ctx: JobContext | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def is_leader(self) -> bool:
        return self._aps is not None

    @property
    def lock_description(self) -> str:
        return self._lock.description

    async def start(self) -> None:
        if self._task is not None:
            return
        await self._try_to_lead()
        self._task = asyncio.create_task(self._watch(), name=f"linli-scheduler-{self.scheduler_id}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            if self._aps is not None:
                await self._step_down(graceful=True)
        finally:
            await self._lock.release()
            if self._own_db and self._db is not None:
                await self._db.dispose()
                self._db = None

    # -- election ----------------------------------------------------------------------------
    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds if self.is_leader else self.retry_seconds)
            try:
                if not self.is_leader:
                    await self._try_to_lead()
                elif not await self._lock.still_held():
                    log.error("scheduler %s lost the %s; stepping down", self.scheduler_id,
                              self._lock.description)
                    await self._step_down(graceful=False)
            except Exception:
                # The database may be down; keep trying rather than leave no scheduler at all.
                log.exception("scheduler %s: election step failed", self.scheduler_id)

    async def _try_to_lead(self) -> None:
        try:
            if not await self._lock.acquire():
                return
        except Exception as e:
            log.warning("scheduler %s could not try the %s: %s", self.scheduler_id,
                        self._lock.description, e)
            return
        try:
            await self._lead()
        except Exception:
            log.exception("scheduler %s took the lock but could not start; releasing it",
                          self.scheduler_id)
            await self._lock.release()
            return
        self.terms += 1
        log.info("scheduler %s is the leader (%s)", self.scheduler_id, self._lock.description)

    async def _lead(self) -> None:
        if self._db is None:
            self._db = Database(self.settings.database_url)
        ctx = JobContext(self.settings, self._db, self.scheduler_id, self.stats)
        store = job_store(self.settings)
        aps = OffLoopScheduler(timezone=self.settings.timezone, jobstores={"default": store},
                               error_retry_seconds=self.retry_seconds)
        runner.register(self._key, ctx)
        try:
            # Store work happens off the loop (see bot/scheduler/aps.py); creating the table first
            # leaves start() only a read.
            await asyncio.to_thread(store.jobs_t.create, store.engine, checkfirst=True)
            aps.start(paused=True)  # reconcile the store before anything can fire
            await asyncio.to_thread(self._reconcile, aps)
            aps.resume()
        except BaseException:
            runner.unregister(self._key, ctx)
            if aps.state != STATE_STOPPED:
                aps.shutdown(wait=False)
            else:
                store.shutdown()
            raise
        self._aps, self._ctx = aps, ctx

    def _reconcile(self, aps: OffLoopScheduler) -> None:
        """Make the store hold exactly the specs: keep unchanged jobs (and their next run time,
        so runs missed while no one led still happen), replace changed ones, drop the rest."""
        tz = self.settings.timezone
        stored: dict[str, Job] = {job.id: job for job in aps.get_jobs()}
        for spec in self.specs:
            name = f"{spec.id}@{spec.fingerprint(tz)}"
            args = (spec.id, spec.func, self._key)
            job = stored.get(spec.id)
            if (job is not None and job.name == name and job.func_ref == RUN_JOB
                    and tuple(job.args) == args and job.next_run_time is not None):
                log.debug("job %s unchanged, next run %s", spec.id, job.next_run_time)
                continue
            options: dict[str, Any] = {"coalesce": spec.coalesce, "max_instances": spec.max_instances,
                                       "misfire_grace_time": spec.misfire_grace_time}
            aps.add_job(RUN_JOB, trigger=spec.make_trigger(tz), args=args, kwargs=dict(spec.kwargs),
                        id=spec.id, name=name, replace_existing=True, **options)
            log.info("job %s %s", spec.id, "replaced" if job is not None else "added")
        for job_id in stored.keys() - {s.id for s in self.specs}:
            aps.remove_job(job_id)
            log.info("job %s removed: no longer in the specs", job_id)

    async def _step_down(self, *, graceful: bool) -> None:
        """Graceful (stop): let the round in flight and running jobs finish, within the grace.
        Not graceful (lock lost): another process may lead already, so stop at once."""
        aps, ctx = self._aps, self._ctx
        self._aps = self._ctx = None
        try:
            if aps is not None:
                aps.pause()
                if graceful:
                    await aps.drain(self.stop_grace_seconds)
                    if ctx is not None and ctx.running:
                        await asyncio.wait(set(ctx.running), timeout=self.stop_grace_seconds)
                if ctx is not None:
                    runner.unregister(self._key, ctx)  # a late submission now does nothing
                with contextlib.suppress(Exception):
                    aps.shutdown(wait=False)  # cancels jobs still running
                # AsyncIOScheduler shuts down in a loop callback; let it run.
                for _ in range(100):
                    if aps.state == STATE_STOPPED:
                        break
                    await asyncio.sleep(0.01)
        finally:
            if ctx is not None:
                runner.unregister(self._key, ctx)
            await self._lock.release()
        log.info("scheduler %s stepped down", self.scheduler_id)

    # -- inspection ----------------------------------------------------------------------------
    async def stored_job_ids(self) -> list[str]:
        """Ids in the store (leader only: a standby does not touch the store)."""
        aps = self._aps
        if aps is None:
            return []
        jobs = await asyncio.to_thread(aps.get_jobs)
        return [job.id for job in jobs]
