"""Votes through the database: notice period, frozen electorate, ballots, SQL tally, publication,
and the hash-chained audit log (tampering detected)."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update

from bot.charts import vote_chart
from core.voting.service import (
    VoteDraft,
    VoteError,
    announce,
    cast,
    check_receipt,
    close_due,
    count,
    open_due,
    register_proxy,
    remind_non_voters,
    verify_chain,
)
from storage.db import Database
from storage.models import Premises
from storage.models.notifications import Notification
from storage.models.votes import BallotEvent, Vote, VoteVoter
from tests.votes.conftest import NOW, TOTAL_AREA, estate_with_register


def draft(estate_id: int, matter: str = "property_manager", days: int = 16, deemed: bool = False) -> VoteDraft:
    return VoteDraft(estate_id, "续聘物业", "是否续聘安居物业三年？", matter, NOW + timedelta(days=days),
                     NOW + timedelta(days=days + 10), deemed_rule=deemed)


async def opened(db: Database, **kw: object) -> Vote:
    async with db.session() as s:
        e = await estate_with_register(s)
        v = await announce(s, draft(e.id, **kw), None, NOW)  # type: ignore[arg-type]
    async with db.session() as s:
        [opened] = await open_due(s, NOW + timedelta(days=16))
    assert opened.id == v.id
    return opened


async def test_notice_period_is_enforced(db: Database) -> None:
    async with db.session() as s:
        e = await estate_with_register(s)
        with pytest.raises(VoteError, match="提前15日"):
            await announce(s, draft(e.id, days=14), None, NOW)
        with pytest.raises(KeyError):
            await announce(s, draft(e.id, matter="no_such_matter"), None, NOW)
        v = await announce(s, draft(e.id, days=15), None, NOW)
        assert v.status == "announced"
    async with db.session() as s:
        assert await open_due(s, NOW + timedelta(days=14)) == []


async def test_electorate_frozen_at_opening(db: Database) -> None:
    v = await opened(db)
    assert v.total_area == TOTAL_AREA and v.total_persons == 8
    async with db.session() as s:
        dev = await s.scalar(select(VoteVoter).where(VoteVoter.vote_id == v.id, VoteVoter.owner_code == "DEV"))
        o1 = await s.scalar(select(VoteVoter).where(VoteVoter.vote_id == v.id, VoteVoter.owner_code == "O1"))
        assert dev is not None and dev.area == Decimal("200.00")
        assert o1 is not None and o1.area == Decimal("200.00") and o1.buildings == ["1"]
        # A register change after the opening changes nothing in this vote.
        await s.execute(update(Premises).values(area_registered=Decimal("999.00")))
    async with db.session() as s:
        await cast(s, v.id, "O1", "yes", NOW + timedelta(days=16, hours=1))
    async with db.session() as s:
        verdict = await count(s, await s.get(Vote, v.id))
    assert verdict.totals.area == TOTAL_AREA and verdict.yes.area == Decimal("200.00")


async def test_latest_ballot_counts_and_sql_tally(db: Database) -> None:
    v = await opened(db)
    t = NOW + timedelta(days=16, hours=1)
    ballots = [("O1", "no"), ("O2", "yes"), ("O3", "yes"), ("O4", "abstain"), ("O5", "yes"),
               ("O6", "yes"), ("O1", "yes")]  # O1 changes their mind: yes counts
    async with db.session() as s:
        for i, (code, choice) in enumerate(ballots):
            await cast(s, v.id, code, choice, t + timedelta(minutes=i))
    async with db.session() as s:
        verdict = await count(s, await s.get(Vote, v.id))
    # Participants: O1 200 + O2 100 + O3 100 + O4 100 + O5 150 + O6 50 = 700.00, 6 persons.
    # 700/1000 >= 2/3 and 6/8 >= 2/3: quorum. Yes: 200+100+100+150+50 = 600.00 of 700, 5 of 6.
    assert verdict.participants.area == Decimal("700.00") and verdict.participants.persons == 6
    assert verdict.yes.area == Decimal("600.00") and verdict.yes.persons == 5
    assert verdict.abstain.area == Decimal("100.00") and verdict.no.persons == 0
    assert verdict.quorum and verdict.passed


async def test_refusals(db: Database) -> None:
    v = await opened(db)
    t = NOW + timedelta(days=16, hours=1)
    async with db.session() as s:
        with pytest.raises(VoteError, match="不在本次表决的名册"):
            await cast(s, v.id, "O9", "yes", t)  # undelivered: the developer votes for it
        with pytest.raises(VoteError, match="扫描件"):
            await cast(s, v.id, "O3", "yes", t, channel="paper")
        with pytest.raises(VoteError):
            await cast(s, v.id, "O3", "maybe", t)
        with pytest.raises(VoteError, match="投票时间"):
            await cast(s, v.id, "O3", "yes", NOW + timedelta(days=27))
        with pytest.raises(VoteError, match="书面委托"):
            await register_proxy(s, v.id, "O3", "王律师", None, " ", None)


async def test_close_publishes_with_arithmetic_and_chart(db: Database) -> None:
    v = await opened(db, deemed=True)
    t = NOW + timedelta(days=16, hours=1)
    async with db.session() as s:
        for code in ("O1", "O2", "O3", "O5", "O6"):
            await cast(s, v.id, code, "yes", t)
        await cast(s, v.id, "O4", "no", t, channel="paper", paper_ref="SCAN-0004")
    async with db.session() as s:
        assert await close_due(s, NOW + timedelta(days=25)) == []
        [closed] = await close_due(s, NOW + timedelta(days=26))
    assert closed.status == "published" and closed.published_at is not None
    assert closed.published_at - closed.closes_at <= timedelta(days=3)
    r = closed.result
    assert r is not None
    assert r["verdict"]["participants"] == {"area": "700.00", "persons": 6}
    assert "参与表决面积 700.00㎡" in r["explanation"] and "70.00%" in r["explanation"]
    assert r["chain_head"] == closed.chain_head and r["chain_length"] == 6
    assert "deemed" in r  # the estate's rule is on: both tallies shown
    png = vote_chart(closed.title, r)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000


async def test_chain_verification_detects_tampering(db: Database) -> None:
    v = await opened(db)
    t = NOW + timedelta(days=16, hours=1)
    async with db.session() as s:
        receipts = [await cast(s, v.id, c, "no", t) for c in ("O1", "O2", "O3")]
    async with db.session() as s:
        assert (await verify_chain(s, v.id)).ok
        assert await check_receipt(s, v.id, receipts[1].hash)
        assert not await check_receipt(s, v.id, "f" * 64)
    # Someone edits the counted choice directly.
    async with db.session() as s:
        await s.execute(update(VoteVoter).where(VoteVoter.owner_code == "O2").values(choice="yes"))
    async with db.session() as s:
        check = await verify_chain(s, v.id)
        assert not check.ok and "O2" in (check.problem or "")
        await s.execute(update(VoteVoter).where(VoteVoter.owner_code == "O2").values(choice="no"))
    # Someone rewrites a stored ballot.
    async with db.session() as s:
        ev = await s.scalar(select(BallotEvent).where(BallotEvent.seq == 2))
        assert ev is not None
        ev.payload = {**ev.payload, "choice": "yes"}
    async with db.session() as s:
        check = await verify_chain(s, v.id)
        assert not check.ok and "第2条" in (check.problem or "")
        assert not await check_receipt(s, v.id, receipts[0].hash)
    # Someone deletes the last ballot (and its effect).
    async with db.session() as s:
        ev = await s.scalar(select(BallotEvent).where(BallotEvent.seq == 2))
        assert ev is not None
        ev.payload = {**ev.payload, "choice": "no"}
        await s.execute(delete(BallotEvent).where(BallotEvent.seq == 3))
    async with db.session() as s:
        assert not (await verify_chain(s, v.id)).ok


async def test_announcement_and_reminders_reach_owners_only_once(db: Database) -> None:
    from core.verification import approve_by_staff
    from storage.repositories.people import PeopleRepository

    async with db.session() as s:
        e = await estate_with_register(s)
        people = PeopleRepository(s)
        alice = await people.add_person("甲")
        bob = await people.add_person("丁")
        p1 = await s.scalar(select(Premises).where(Premises.room == "101", Premises.unit_key == "1"))
        p3 = await s.scalar(select(Premises).where(Premises.room == "101", Premises.unit_key == "2"))
        assert p1 and p3
        await approve_by_staff(s, alice.id, p1.id, NOW)
        await approve_by_staff(s, bob.id, p3.id, NOW)
        await announce(s, draft(e.id), None, NOW)
    async with db.session() as s:
        [v] = await open_due(s, NOW + timedelta(days=16))
        await cast(s, v.id, "O1", "yes", NOW + timedelta(days=16, hours=1))
        assert await remind_non_voters(s, v, NOW + timedelta(days=20)) == 1  # bob only
        assert await remind_non_voters(s, v, NOW + timedelta(days=20, hours=2)) == 0  # once a day
        kinds = [n.idempotency_key.split(":")[2] for n in await s.scalars(select(Notification))]
    assert sorted(kinds) == ["announce", "announce", "open", "open", "remind"]


async def test_fifty_ballots_from_one_person_at_once(db: Database) -> None:
    v = await opened(db)
    t = NOW + timedelta(days=16, hours=1)

    async def one(i: int) -> None:
        async with db.session() as s:
            await cast(s, v.id, "O5", ("yes", "no", "abstain")[i % 3], t + timedelta(seconds=i))

    await asyncio.gather(*(one(i) for i in range(50)))
    async with db.session() as s:
        assert await s.scalar(select(func.count(BallotEvent.id))) == 50
        voted = list(await s.scalars(select(VoteVoter).where(VoteVoter.choice.is_not(None))))
        assert [x.owner_code for x in voted] == ["O5"]
        last = await s.scalar(select(BallotEvent).where(BallotEvent.seq == 50))
        assert last is not None and voted[0].choice == last.payload["choice"]
        verdict = await count(s, await s.get(Vote, v.id))
        assert verdict.participants.persons == 1 and verdict.participants.area == Decimal("150.00")
        assert (await verify_chain(s, v.id)).ok


async def test_result_chart_is_drawn_for_platform_senders(db: Database) -> None:
    from bot.channels.telegram.sender import outgoing
    from bot.charts import attach_images

    v = await opened(db)
    async with db.session() as s:
        await cast(s, v.id, "O1", "yes", NOW + timedelta(days=16, hours=1))
        [closed] = await close_due(s, NOW + timedelta(days=27))
        body = await attach_images(s, {"text": "结果", "buttons": [], "image": {"chart": "vote", "vote_id": closed.id}})
    out = outgoing(body)
    assert out.image is not None and out.image.data[:4] == b"\x89PNG" and out.text == "结果"
    assert outgoing({"text": "x", "image": {"chart": "vote", "vote_id": 1}}).image is None
