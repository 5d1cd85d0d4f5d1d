"""Exactly one scheduler leads; jobs run only there; a standby takes over when the leader goes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bot.config import Settings
from bot.scheduler import JobSpec, LinliScheduler, every, lock_file_path
from storage.db import is_sqlite, sync_url
from tests.scheduler.util import MakeScheduler, eventually, lines

ROOT = Path(__file__).resolve().parents[2]


def append_spec(path: Path, seconds: float = 0.2) -> list[JobSpec]:
    return [every("append", "tests.scheduler.jobs:append_async", seconds=seconds,
                  kwargs={"path": str(path)})]


async def test_two_schedulers_one_leader_jobs_only_in_leader(make_scheduler: MakeScheduler,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "runs.txt"
    a = make_scheduler(append_spec(out), "a")
    b = make_scheduler(append_spec(out), "b")
    await a.start()
    await b.start()
    assert [a.is_leader, b.is_leader] == [True, False]
    await eventually(lambda: len(lines(out)) >= 5)
    # The standby keeps retrying for a while: it must stay a standby and run nothing.
    await eventually(lambda: len(lines(out)) >= 10)
    assert [a.is_leader, b.is_leader] == [True, False]
    assert set(lines(out)) == {"a"}
    assert a.terms == 1 and b.terms == 0


async def test_stopped_leader_hands_over(make_scheduler: MakeScheduler, tmp_path: Path) -> None:
    out = tmp_path / "runs.txt"
    a = make_scheduler(append_spec(out), "a")
    b = make_scheduler(append_spec(out), "b")
    await a.start()
    await b.start()
    await eventually(lambda: "a" in lines(out))
    await a.stop()
    assert not a.is_leader
    took = await eventually(lambda: b.is_leader, timeout=5)
    assert took < 3
    n = len(lines(out))
    await eventually(lambda: len(lines(out)) >= n + 3)
    assert lines(out)[n:] == ["b"] * len(lines(out)[n:])


async def test_killed_leader_process_hands_over(make_scheduler: MakeScheduler, settings: Settings,
                                                tmp_path: Path) -> None:
    out = tmp_path / "runs.txt"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.scheduler.leader_process", settings.database_url,
         settings.data_dir, str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "LEADER child"
        standby = make_scheduler(append_spec(out), "standby")
        await standby.start()
        assert not standby.is_leader
        await eventually(lambda: len(lines(out)) >= 3)
        assert not standby.is_leader

        os.kill(child.pid, signal.SIGKILL)
        killed = time.monotonic()
        child.wait(timeout=10)
        took = await eventually(lambda: standby.is_leader, timeout=10)
        assert took < 5, f"takeover took {took:.1f}s"
        await eventually(lambda: "standby" in lines(out))
        print(f"takeover after kill -9: {time.monotonic() - killed:.2f}s")
        assert set(lines(out)) == {"child", "standby"}
        assert "child" not in lines(out)[lines(out).index("standby"):]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


async def test_leader_that_loses_its_lock_steps_down_and_runs_nothing(
        make_scheduler: MakeScheduler, settings: Settings, db_url: str, tmp_path: Path) -> None:
    """The lock can go without the process dying: its connection is cut (PostgreSQL) or its lock
    file is removed (SQLite). The leader notices, stops, and only leads again through the lock."""
    out = tmp_path / "runs.txt"
    a = make_scheduler(append_spec(out), "a")
    await a.start()
    await eventually(lambda: len(lines(out)) >= 2)
    if is_sqlite(db_url):
        lock_file_path(settings).unlink()
    else:
        engine = create_engine(sync_url(db_url))
        with engine.connect() as conn:
            killed = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'linli-scheduler' AND datname = :db"),
                {"db": make_url(sync_url(db_url)).database}).scalar()
        engine.dispose()
        assert killed == 1
    # It steps down, finds the lock free again, and leads a second term.
    await eventually(lambda: a.terms == 2, timeout=5)
    assert a.is_leader
    n = len(lines(out))
    await eventually(lambda: len(lines(out)) >= n + 2)


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings(database_url=url, data_dir=str(data_dir), demo=False,
                    _env_file=None)  # type: ignore[call-arg]


def test_lock_file_lives_beside_the_database_or_in_the_data_dir(tmp_path: Path) -> None:
    on_disk = _settings(f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3", tmp_path / "d")
    assert lock_file_path(on_disk) == tmp_path / "x.sqlite3.scheduler.lock"
    for url in ("sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:", "sqlite://"):
        assert lock_file_path(_settings(url, tmp_path / "d")) == tmp_path / "d" / "scheduler.lock"


async def test_in_memory_database_elects_through_the_data_dir(tmp_path: Path) -> None:
    settings = _settings("sqlite+aiosqlite://", tmp_path / "d")
    out = tmp_path / "runs.txt"
    a = LinliScheduler(settings, append_spec(out), scheduler_id="a", retry_seconds=0.2)
    b = LinliScheduler(settings, append_spec(out), scheduler_id="b", retry_seconds=0.2)
    try:
        await a.start()
        await b.start()
        assert [a.is_leader, b.is_leader] == [True, False]
        assert (tmp_path / "d" / "scheduler.lock").read_text().strip() == "a"
        await eventually(lambda: len(lines(out)) >= 2)
        assert set(lines(out)) == {"a"}
    finally:
        await a.stop()
        await b.stop()
