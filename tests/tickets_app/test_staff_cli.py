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


def test_invite_gives_a_staff_role_to_the_chat_account_that_sends_it(db_url: str, tmp_path: Path) -> None:
    from core.people import actor_for, installation_secret, speaker_for
    from core.roles import Place
    from core.verification import RedeemOutcome, VerificationPolicy, redeem

    async def setup() -> Place:
        db = Database(db_url)
        try:
            async with db.session() as s:
                estate = await make_estate(s, "K2")
                from storage.models import Community

                community = await s.get(Community, estate.community_id)
                assert community is not None
                return Place(estate.id, community.id, community.street_office_id, 0)
        finally:
            await db.dispose()

    place = asyncio.run(setup())
    env = {**os.environ, "LINLI_DATABASE_URL": db_url, "LINLI_DEMO": "false", "LINLI_SECRET_KEY": "x",
           "LINLI_DATA_DIR": str(tmp_path)}

    def linli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, env=env,
                              timeout=120)

    r = linli("invite", "--role", "property_staff", "--scope", "K2", "--name", "物业·张工")
    assert r.returncode == 0, r.stderr
    code = r.stdout.strip()
    assert "/bind " + code in r.stderr
    bad = linli("invite", "--role", "street_staff", "--scope", "NOPE")
    assert bad.returncode == 1 and "没有编码为 NOPE 的街道" in bad.stderr

    async def use() -> tuple[RedeemOutcome, bool, str]:
        db = Database(db_url)
        try:
            async with db.session() as s:
                secret = await installation_secret(s, "x")
                who = await speaker_for(s, "telegram", "7100001", "7100001", "Zhang")
                result = await redeem(s, secret, who.person.id, code, T0, VerificationPolicy())
                actor = await actor_for(s, who.person.id)
                return result.outcome, actor.holds(Role.PROPERTY_STAFF, place), who.person.display_name
        finally:
            await db.dispose()

    outcome, holds, name = asyncio.run(use())
    assert outcome is RedeemOutcome.ROLE_GRANTED and holds and name == "物业·张工"
