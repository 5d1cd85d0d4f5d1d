"""Scheduler fixtures: schedulers made in a test are always stopped after it."""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from bot.config import Settings
from bot.scheduler import JobSpec, LinliScheduler
from tests.scheduler.util import MakeScheduler


@pytest.fixture
async def make_scheduler(settings: Settings) -> AsyncIterator[MakeScheduler]:
    made: list[LinliScheduler] = []

    def make(specs: Sequence[JobSpec], scheduler_id: str, **kw: object) -> LinliScheduler:
        kw.setdefault("retry_seconds", 0.2)
        kw.setdefault("check_seconds", 0.2)
        s = LinliScheduler(settings, specs, scheduler_id=scheduler_id, **kw)  # type: ignore[arg-type]
        made.append(s)
        return s

    yield make
    for s in made:
        await s.stop()
