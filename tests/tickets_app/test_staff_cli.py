"""`linli staff token --person-id N` mints a working token for staff and refuses anyone else."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from core.roles import Role, ScopeKind
from core.tickets.tokens import hash_token, person_for_token
from storage.db import Database
from storage.models.tickets import StaffToken
from tests.helpers import make_estate
from tests.tickets_app.helpers import T0, person

# The group as bot/cli.py registers it (`linli staff`).
CLI = "from bot.commands.staff import staff_group; staff_group(prog_name='linli staff')"


def test_token_for_staff_only(db_url: str, tmp_path: Path) -> None:
    async def setup() -> tuple[int, int]:
        db = Database(db_url)
        try:
            async with db.session() as s:
                estate = await make_estate(s, "K1")
                staff = await person(s, "物业小刘", Role.PROPERTY_STAFF, ScopeKind.ESTATE, estate.id)
                resident = await person(s, "居民老陈")
                return staff, resident
        finally:
            await db.dispose()

    staff, resident = asyncio.run(setup())
    env = {**os.environ, "LINLI_DATABASE_URL": db_url, "LINLI_DEMO": "false", "LINLI_SECRET_KEY": "x",
           "LINLI_DATA_DIR": str(tmp_path)}

    def linli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, env=env,
                              timeout=120)

    r = linli("token", "--person-id", str(staff))
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert token.startswith("lst_") and len(token) > 40
    r = linli("token", "--person-id", str(resident))
    assert r.returncode == 1 and "不是物业、社区或街道工作人员" in r.stderr
    assert linli("token", "--person-id", "999999").returncode == 1
    assert f"{staff}\t物业小刘\tproperty_staff\testate:" in linli("list").stdout

    async def check() -> tuple[int | None, list[str]]:
        db = Database(db_url)
        try:
            async with db.session() as s:
                who = await person_for_token(s, token, T0)
                hashes = list(await s.scalars(select(StaffToken.token_hash)))
                return who, hashes
        finally:
            await db.dispose()

    who, hashes = asyncio.run(check())
    assert who == staff and hashes == [hash_token(token)] and token not in hashes
    assert "已撤销 1 个令牌" in linli("revoke", "--person-id", str(staff)).stdout
    assert asyncio.run(check())[0] is None
