"""Helpers for the scheduler tests: waiting for a condition, reading traces and the job store."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from bot.scheduler import JOBS_TABLE, LinliScheduler
from storage.db import sync_url

MakeScheduler = Callable[..., LinliScheduler]


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> float:
    """Seconds it took for predicate to hold; fails the test after timeout."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)
    return time.monotonic() - start


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def stored_jobs(db_url: str) -> list[tuple[str, float | None]]:
    """(id, next_run_time) rows of the job store, read straight from the table."""
    engine = create_engine(sync_url(db_url))
    try:
        with engine.connect() as conn:
            if JOBS_TABLE not in inspect(conn).get_table_names():
                return []
            rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE} ORDER BY id"))
            return [(r[0], r[1]) for r in rows]
    finally:
        engine.dispose()
