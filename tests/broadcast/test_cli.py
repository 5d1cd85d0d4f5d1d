"""`linli broadcast run|status|requeue-stale` as an operator runs them."""
from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from core.notify import message, notify
from storage.db import Database
from storage.models.conversation import ChatMessage
from storage.models.notifications import Delivery
from storage.repositories.people import PeopleRepository
from tests.broadcast.conftest import ROOT, WORKER


def _linli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LINLI_DATABASE_URL": db_url, "LINLI_DEMO": "false", "LINLI_TELEGRAM_TOKEN": "",
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([*WORKER, *args], text=True, capture_output=True, env=env, timeout=120, cwd=ROOT)


async def test_run_status_and_requeue(db_url: str, db: Database) -> None:
    async with db.session() as s:
        repo = PeopleRepository(s)
        people = []
        for i in range(3):
            p = await repo.add_person(f"居民{i}")
            await repo.add_identity(p, "web", f"w{i}", f"w{i}")
            people.append(p.id)
        p = await repo.add_person("居民tg")
        await repo.add_identity(p, "telegram", "8800", "8800")
        people.append(p.id)
        await notify(s, people, message("【公告】本周六消防演练"), "notice", "notice:drill")

    r = _linli(db_url, "status")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:2] == ["telegram\tpending 1", "web\tpending 3"]

    # No Telegram configured: the web chat gets its notices, the Telegram one waits.
    r = _linli(db_url, "run")
    assert r.returncode == 0, r.stderr
    assert "完成：sent 3" in r.stdout
    async with db.session() as s:
        assert len(list(await s.scalars(select(ChatMessage).where(ChatMessage.direction == "out")))) == 3
    r = _linli(db_url, "status")
    assert r.stdout.splitlines()[:2] == ["telegram\tpending 1", "web\tsent 3"]

    # A send interrupted an hour ago: shown, then put back at the operator's word.
    async with db.session() as s:
        await s.execute(update(Delivery).where(Delivery.channel == "telegram").values(
            status="sending", next_attempt_at=datetime.now(timezone.utc) - timedelta(hours=1)))
    r = _linli(db_url, "status")
    assert "telegram\tsending 1" in r.stdout and "不会自动重发" in r.stdout
    r = _linli(db_url, "requeue-stale", "--older-than", "120")
    assert r.returncode != 0  # asks first; no answer on stdin means no
    r = _linli(db_url, "requeue-stale", "--older-than", "30", "--yes")
    assert r.returncode == 0 and "已重新排队 1 条" in r.stdout
    assert _linli(db_url, "status").stdout.startswith("telegram\tpending 1")
