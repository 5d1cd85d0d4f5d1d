"""A thousand owners voting at the same moment: every ballot counts, the chain stays whole."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.register import import_register
from core.register_file import parse_register
from core.voting.service import VoteDraft, announce, cast, count, open_due, verify_chain
from storage.db import Database
from storage.models.votes import BallotEvent, Vote
from tests.helpers import make_estate
from tests.votes.conftest import NOW

N = 1000


async def test_thousand_owners_at_once(db: Database) -> None:
    header = ("estate,building,unit,room,use,area_registered,area_surveyed,area_contract,owner_id,"
              "owner_name,owner_kind,delivered,phone\n")
    rows = "".join(f"L1,{i // 100 + 1},1,{i % 100 + 101},residential,100.{i % 100:02d},,,P{i},业主{i},person,yes,\n"
                   for i in range(N))
    async with db.session() as s:
        e = await make_estate(s, "L1")
        await import_register(s, "L1", parse_register((header + rows).encode(), "big.csv"))
        await announce(s, VoteDraft(e.id, "筹集维修资金", "是否筹集？", "raise_maintenance_fund",
                                    NOW + timedelta(days=15), NOW + timedelta(days=20)), None, NOW)
    async with db.session() as s:
        [v] = await open_due(s, NOW + timedelta(days=15))
    t = NOW + timedelta(days=16)

    async def one(i: int) -> None:
        async with db.session() as s:
            await cast(s, v.id, f"P{i}", "yes" if i % 4 else "no", t)

    await asyncio.gather(*(one(i) for i in range(N)))
    async with db.session() as s:
        assert await s.scalar(select(func.count(BallotEvent.id))) == N
        verdict = await count(s, await s.get(Vote, v.id))
        assert (await verify_chain(s, v.id)).ok
    # Area of person i is 100 + (i % 100)/100; over 1000 persons: 100000 + 10 * 49.50 = 100495.00.
    assert verdict.participants.persons == N and verdict.participants.area == Decimal("100495.00")
    # No: i % 4 == 0, 250 persons: 25000 + 10 * (0 + 4 + ... + 96)/100 = 25120.00; yes = 75375.00.
    assert verdict.yes.persons == 750 and verdict.yes.area == Decimal("75375.00")
    assert verdict.passed  # 750/1000 is exactly 3/4 ("以上"), 75375/100495 > 3/4
