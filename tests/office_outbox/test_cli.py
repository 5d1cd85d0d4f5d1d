"""`linli office channel add|list`: a channel for an office named by its code; a webhook secret is
generated when none is given; a robot's key is not printed in full; refusals are clean errors."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from storage.db import Database
from storage.models.office_outbox import OfficeChannel
from tests.helpers import make_estate

# The group as bot/cli.py will register it (`linli office`).
CLI = "from bot.commands.office import office_group; office_group(prog_name='linli office')"


def test_add_and_list(db_url: str, tmp_path: Path) -> None:
    async def setup() -> None:
        db = Database(db_url)
        try:
            async with db.session() as s:
                await make_estate(s, "K1")
        finally:
            await db.dispose()

    asyncio.run(setup())
    env = {**os.environ, "LINLI_DATABASE_URL": db_url, "LINLI_DEMO": "false", "LINLI_SECRET_KEY": "x",
           "LINLI_DATA_DIR": str(tmp_path)}

    def linli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, env=env,
                              timeout=120)

    r = linli("channel", "add", "--office-kind", "property_company", "--office", "P-K1", "--kind", "webhook",
              "--target", "https://example.org/hook")
    assert r.returncode == 0, r.stderr
    secret = r.stdout.split("shown once): ")[1].strip()
    assert len(secret) >= 40
    robot = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd1234-5678"
    r = linli("channel", "add", "--office-kind", "street_office", "--office", "S-K1", "--kind", "wecom_robot",
              "--target", robot)
    assert r.returncode == 0, r.stderr
    r = linli("channel", "add", "--office-kind", "community", "--office", "nowhere", "--kind", "wecom_robot",
              "--target", robot)
    assert r.returncode == 1 and "no community nowhere" in r.stderr
    out = linli("channel", "list").stdout.splitlines()
    assert len(out) == 2
    assert "\twebhook\thttps://example.org/hook\t20/min\ton\tpending=0" in out[0]
    assert "key=abcd…" in out[1] and "abcd1234-5678" not in out[1]

    async def stored() -> list[tuple[str, str | None]]:
        db = Database(db_url)
        try:
            async with db.session() as s:
                return [(c.kind, c.secret) for c in await s.scalars(select(OfficeChannel).order_by(OfficeChannel.id))]
        finally:
            await db.dispose()

    assert asyncio.run(stored()) == [("webhook", secret), ("wecom_robot", None)]
