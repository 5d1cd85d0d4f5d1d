"""A scheduler in its own process, for the kill -9 test.

    python -m tests.scheduler.leader_process DB_URL DATA_DIR OUT_FILE

Prints "LEADER <id>" once it leads, then runs until killed.
"""
from __future__ import annotations

import asyncio
import sys

from bot.config import Settings
from bot.scheduler import LinliScheduler, every


async def main(db_url: str, data_dir: str, out: str) -> None:
    settings = Settings(database_url=db_url, data_dir=data_dir, demo=False,
                        _env_file=None)  # type: ignore[call-arg]
    specs = [every("append", "tests.scheduler.jobs:append_async", seconds=0.2,
                   kwargs={"path": out})]
    sched = LinliScheduler(settings, specs, scheduler_id="child", retry_seconds=0.2,
                           check_seconds=0.2)
    await sched.start()
    while not sched.is_leader:
        await asyncio.sleep(0.05)
    print(f"LEADER {sched.scheduler_id}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
