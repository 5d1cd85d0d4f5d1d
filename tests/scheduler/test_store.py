"""The persistent job store holds exactly the specs, one row per id, across restarts."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.scheduler import JobSpec, cron, every
from tests.scheduler.util import MakeScheduler, eventually, lines, stored_jobs


def specs(hourly_seconds: float = 3600) -> list[JobSpec]:
    return [
        every("hourly", "tests.scheduler.jobs:fail_async", seconds=hourly_seconds),
        cron("morning", "tests.scheduler.jobs:fail_sync", {"hour": 8, "minute": 30}),
    ]


async def test_restart_keeps_one_job_per_id_and_its_next_run(make_scheduler: MakeScheduler,
                                                            db_url: str) -> None:
    first = make_scheduler(specs(), "first")
    await first.start()
    assert first.is_leader
    before = stored_jobs(db_url)
    assert [job_id for job_id, _ in before] == ["hourly", "morning"]
    assert all(next_run is not None for _, next_run in before)
    await first.stop()

    for n in range(2):
        again = make_scheduler(specs(), f"again-{n}")
        await again.start()
        assert again.is_leader
        # Same ids, one row each, and the schedule is kept rather than restarted from now.
        assert stored_jobs(db_url) == before
        await again.stop()


async def test_changed_spec_replaces_its_job_in_place(make_scheduler: MakeScheduler,
                                                     db_url: str) -> None:
    first = make_scheduler(specs(hourly_seconds=3600), "first")
    await first.start()
    before = dict(stored_jobs(db_url))
    await first.stop()

    changed = make_scheduler(specs(hourly_seconds=7200), "changed")
    await changed.start()
    after = dict(stored_jobs(db_url))
    assert sorted(after) == ["hourly", "morning"]
    assert after["morning"] == before["morning"]
    # Intervals count from a fixed origin, so a 2-hour grid point is also an hour-grid point.
    hourly_before, hourly_after = before["hourly"], after["hourly"]
    assert hourly_before is not None and hourly_after is not None
    assert hourly_after % 7200 == 0 and hourly_before % 3600 == 0
    assert sorted(await changed.stored_job_ids()) == ["hourly", "morning"]


async def test_removed_spec_disappears_from_the_store(make_scheduler: MakeScheduler,
                                                     db_url: str) -> None:
    first = make_scheduler(specs(), "first")
    await first.start()
    assert [job_id for job_id, _ in stored_jobs(db_url)] == ["hourly", "morning"]
    await first.stop()

    fewer = make_scheduler(specs()[:1], "fewer")
    await fewer.start()
    assert [job_id for job_id, _ in stored_jobs(db_url)] == ["hourly"]
    await fewer.stop()

    none = make_scheduler([], "none")
    await none.start()
    assert stored_jobs(db_url) == []


async def test_standby_does_not_touch_the_store(make_scheduler: MakeScheduler, db_url: str) -> None:
    leader = make_scheduler(specs(), "leader")
    await leader.start()
    before = stored_jobs(db_url)
    # A standby with different specs must not add or remove anything while it waits.
    standby = make_scheduler(specs()[:1] + [every("other", "tests.scheduler.jobs:fail_async",
                                                  seconds=60)], "standby")
    await standby.start()
    assert not standby.is_leader
    assert stored_jobs(db_url) == before
    assert await standby.stored_job_ids() == []


async def test_a_run_missed_while_nobody_led_happens_once_on_takeover(
        make_scheduler: MakeScheduler, db_url: str, tmp_path: Path) -> None:
    """The store keeps the next run time across a gap with no leader: the new leader runs the
    missed run at once (coalesced to one), instead of waiting for the next point of the grid."""
    out = tmp_path / "runs.txt"
    spec = [every("tick", "tests.scheduler.jobs:append_async", seconds=2, kwargs={"path": str(out)})]
    loop = asyncio.get_running_loop()
    first = make_scheduler(spec, "first")
    await first.start()
    await first.stop()
    [(_, due)] = stored_jobs(db_url)
    assert due is not None and lines(out) == []
    # Nobody leads across three grid points: due, due + 2, due + 4.
    await asyncio.sleep(due + 4.3 - time.time())

    second = make_scheduler(spec, "second")
    started = loop.time()
    await second.start()
    await eventually(lambda: len(lines(out)) >= 1, timeout=5)
    assert loop.time() - started < 1.0
    await asyncio.sleep(0.5)
    assert lines(out) == ["second"]  # three missed runs, one catch-up
