"""Jobs: failures are contained, the heartbeat names the leader, specs are checked up front."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

from bot.config import Settings
from bot.jobs import Heartbeat, default_specs, heartbeat, read_heartbeat
from bot.scheduler import JobContext, JobSpec, LinliScheduler, cron, every
from storage.db import Database
from storage.models import AppSetting
from tests.scheduler.util import MakeScheduler, eventually, lines


async def test_failing_jobs_do_not_stop_the_others(make_scheduler: MakeScheduler,
                                                   tmp_path: Path) -> None:
    out = tmp_path / "runs.txt"
    sched = make_scheduler([
        every("fails-async", "tests.scheduler.jobs:fail_async", seconds=0.2),
        every("fails-sync", "tests.scheduler.jobs:fail_sync", seconds=0.2),
        every("works", "tests.scheduler.jobs:append_sync", seconds=0.2, kwargs={"path": str(out)}),
    ], "only")
    await sched.start()
    await eventually(lambda: len(lines(out)) >= 6)
    # The failing jobs keep being tried, each failure counted, and the good job keeps running.
    await eventually(lambda: all(sched.stats.get(j) is not None and sched.stats[j].failures >= 3
                                 for j in ("fails-async", "fails-sync")))
    assert sched.is_leader
    assert sched.stats["fails-async"].last_error == "RuntimeError: this job always fails"
    assert sched.stats["fails-sync"].last_error == "ValueError: this sync job always fails"
    assert sched.stats["works"].failures == 0
    n = len(lines(out))
    await eventually(lambda: len(lines(out)) >= n + 3)


async def beat_by(db: Database, who: str, timeout: float = 10.0) -> Heartbeat:
    """The heartbeat once `who` has written it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        beat = await read_heartbeat(db)
        if beat is not None and beat.by == who:
            return beat
        assert beat is None or beat.by in ("a", "b"), beat
        assert asyncio.get_running_loop().time() < deadline, f"no heartbeat by {who}: {beat}"
        await asyncio.sleep(0.05)


async def test_heartbeat_records_the_leader(make_scheduler: MakeScheduler, db: Database) -> None:
    a = make_scheduler([every("scheduler_heartbeat", "bot.jobs:heartbeat", seconds=0.3)], "a")
    b = make_scheduler([every("scheduler_heartbeat", "bot.jobs:heartbeat", seconds=0.3)], "b")
    await a.start()
    await b.start()
    start = datetime.now(timezone.utc)
    beat = await beat_by(db, "a")
    assert start - timedelta(seconds=1) <= beat.at <= datetime.now(timezone.utc)
    assert (await read_heartbeat(db)).by == "a"  # type: ignore[union-attr]
    await a.stop()
    await eventually(lambda: b.is_leader, timeout=5)
    later = await beat_by(db, "b")
    assert later.at > beat.at


async def test_heartbeat_overwrites_one_row(settings: Settings, db: Database) -> None:
    ctx = JobContext(settings, db, "x")
    await heartbeat(ctx)
    first = await read_heartbeat(db)
    ctx.scheduler_id = "y"
    await heartbeat(ctx)
    second = await read_heartbeat(db)
    assert first is not None and second is not None
    assert (first.by, second.by) == ("x", "y") and second.at >= first.at


def test_default_specs_import_and_include_the_heartbeat(settings: Settings) -> None:
    specs = default_specs(settings)
    sched = LinliScheduler(settings, specs)  # resolves every function reference
    ids = [s.id for s in sched.specs]
    assert ids[0] == "scheduler_heartbeat" and specs[0].seconds == 60
    assert len(ids) == len(set(ids))  # one job per id
    assert {"vote_timeline", "vote_reminders"} <= set(ids)


@pytest.mark.parametrize("make", [
    lambda: JobSpec("", "bot.jobs:heartbeat", "interval", seconds=1),
    lambda: JobSpec("x", "bot.jobs.heartbeat", "interval", seconds=1),
    lambda: JobSpec("x", "bot.jobs:heartbeat", "interval"),
    lambda: JobSpec("x", "bot.jobs:heartbeat", "interval", seconds=0),
    lambda: JobSpec("x", "bot.jobs:heartbeat", "hourly", seconds=1),  # type: ignore[arg-type]
    lambda: cron("x", "bot.jobs:heartbeat", {}),
    lambda: cron("x", "bot.jobs:heartbeat", {"hours": 8}),
    lambda: every("x", "bot.jobs:heartbeat", 1, kwargs={"when": datetime.now()}),
    lambda: every("x", "bot.jobs:heartbeat", 1, max_instances=0),
])
def test_bad_specs_are_refused(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        make()


def test_scheduler_refuses_unknown_functions_and_duplicate_ids(settings: Settings) -> None:
    with pytest.raises(LookupError):
        LinliScheduler(settings, [every("x", "bot.jobs:no_such_job", 60)])
    with pytest.raises(LookupError):
        LinliScheduler(settings, [every("x", "no_such_module:job", 60)])
    with pytest.raises(ValueError):
        LinliScheduler(settings, [every("x", "bot.jobs:heartbeat", 60),
                                  every("x", "bot.jobs:heartbeat", 30)])


def test_fingerprint_follows_what_matters() -> None:
    base = every("x", "bot.jobs:heartbeat", 60, kwargs={"a": 1})
    assert base.fingerprint("Asia/Shanghai") == every(
        "x", "bot.jobs:heartbeat", 60, kwargs={"a": 1}).fingerprint("Asia/Shanghai")
    others = [every("x", "bot.jobs:heartbeat", 61, kwargs={"a": 1}),
              every("x", "bot.jobs:heartbeat", 60, kwargs={"a": 2}),
              every("x", "bot.jobs:read_heartbeat", 60, kwargs={"a": 1}),
              every("x", "bot.jobs:heartbeat", 60, kwargs={"a": 1}, misfire_grace_time=None)]
    prints = {o.fingerprint("Asia/Shanghai") for o in others}
    assert base.fingerprint("Asia/Shanghai") not in prints and len(prints) == len(others)
    assert base.fingerprint("UTC") != base.fingerprint("Asia/Shanghai")


def test_cron_fires_in_the_installation_timezone() -> None:
    trig = cron("x", "bot.jobs:heartbeat", {"hour": 8, "minute": 0}).make_trigger("Asia/Shanghai")
    now = datetime(2026, 3, 1, 0, 0, tzinfo=timezone.utc)  # 08:00 in Shanghai
    nxt = trig.get_next_fire_time(None, now + timedelta(seconds=1))
    assert nxt is not None
    assert nxt.astimezone(timezone.utc) == datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)


async def test_jobs_keep_running_while_the_app_holds_the_write_lock(
        make_scheduler: MakeScheduler, db: Database, tmp_path: Path) -> None:
    """On SQLite a unit of work holds the database's write lock across awaits. The job store must
    wait for it without blocking the event loop, or neither can ever finish."""
    out = tmp_path / "runs.txt"
    sched = make_scheduler([
        every("append", "tests.scheduler.jobs:append_async", seconds=0.1, kwargs={"path": str(out)}),
        every("scheduler_heartbeat", "bot.jobs:heartbeat", seconds=0.1),
    ], "only")
    await sched.start()
    await eventually(lambda: len(lines(out)) >= 2)
    loop = asyncio.get_running_loop()
    worst_lag = 0.0
    async with db.session() as s:
        await s.merge(AppSetting(key="held", value="x"))
        await s.flush()  # the write lock is ours until commit
        until = loop.time() + 1.5
        while loop.time() < until:
            before = loop.time()
            await asyncio.sleep(0.02)
            worst_lag = max(worst_lag, loop.time() - before - 0.02)
    assert worst_lag < 0.5, f"event loop stalled for {worst_lag:.2f}s"
    n = len(lines(out))
    await eventually(lambda: len(lines(out)) >= n + 3)
    assert sched.stats["scheduler_heartbeat"].failures == 0
    assert sched.is_leader


async def test_a_job_store_error_does_not_stop_the_scheduler(
        make_scheduler: MakeScheduler, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """APScheduler lets an error writing the store escape its wake-up, which would leave no timer;
    the scheduler must log it and carry on."""
    out = tmp_path / "runs.txt"
    failures = {"left": 3}
    real_update = SQLAlchemyJobStore.update_job

    def flaky_update(self: SQLAlchemyJobStore, job: object) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise RuntimeError("the database went away for a moment")
        real_update(self, job)

    monkeypatch.setattr(SQLAlchemyJobStore, "update_job", flaky_update)
    sched = make_scheduler([every("append", "tests.scheduler.jobs:append_async", seconds=0.2,
                                  kwargs={"path": str(out)})], "only")
    await sched.start()
    await eventually(lambda: failures["left"] == 0)
    n = len(lines(out))
    await eventually(lambda: len(lines(out)) >= n + 3)
