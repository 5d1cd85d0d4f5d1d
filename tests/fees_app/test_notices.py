"""Notices: published by the committee, property staff or street office to an estate, a building or
a unit; delivered privately to the owners there; "最近公告" shows each person what is theirs."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.broadcast import Broadcaster
from core.fees.ledger import premises_index
from core.notices import Audience, NoticeError, publish_notice, publisher_role, recent_for
from core.people import actor_for, speaker_for
from core.roles import Role
from core.verification import approve_by_staff
from storage.db import Database
from storage.models import ChatMessage
from storage.models.notifications import Notification
from tests.chat_stub import ChatStub
from tests.fees_app.chat import Clock, dispatcher
from tests.fees_app.conftest import NOW, fee_estate, owner_of, person, staff


async def setup(db: Database) -> dict[str, int]:
    async with db.session() as s:
        estate, ids = await fee_estate(s)
        return {"estate": estate.id,
                "a": await owner_of(s, "a", ids["1-1-101"]),      # building 1, unit 1
                "c": await owner_of(s, "c", ids["1-2-101"]),      # building 1, unit 2
                "d": await owner_of(s, "d", ids["2-1-101"]),      # building 2
                "pm": await staff(s, "pm", Role.PROPERTY_STAFF, estate.id),
                "wyh": await staff(s, "wyh", Role.COMMITTEE, estate.id),
                "x": await person(s, "x")}


async def notified(db: Database) -> dict[int, list[str]]:
    async with db.session() as s:
        out: dict[int, list[str]] = {}
        for n in await s.scalars(select(Notification).order_by(Notification.id)):
            out.setdefault(n.person_id, []).append(n.body["text"])
        return out


async def test_a_building_notice_reaches_that_building_only(db: Database) -> None:
    p = await setup(db)
    async with db.session() as s:
        role = await publisher_role(s, await actor_for(s, p["pm"]), p["estate"])
        n = await publish_notice(s, p["estate"], "电梯检修", "1号楼电梯周三9:00—11:00检修。", Audience("1"),
                                 role=role, by_person_id=p["pm"], now=NOW)
        assert n.recipients == 2
    texts = await notified(db)
    assert set(texts) == {p["a"], p["c"]}
    assert texts[p["a"]] == ["【公告】电梯检修\n1号楼电梯周三9:00—11:00检修。\n——和园小区1号楼物业服务中心　2026-11-10"]
    async with db.session() as s:
        seen = {who: [n.title for n, _ in await recent_for(s, await actor_for(s, p[who]))] for who in p if who != "estate"}
    assert seen == {"a": ["电梯检修"], "c": ["电梯检修"], "d": [], "pm": ["电梯检修"], "wyh": ["电梯检修"], "x": []}


async def test_only_publishers_of_that_estate_may_publish(db: Database) -> None:
    p = await setup(db)
    async with db.session() as s:
        with pytest.raises(NoticeError, match="只有本小区的业委会"):
            await publisher_role(s, await actor_for(s, p["a"]), p["estate"])
        with pytest.raises(NoticeError, match="本小区没有9号楼"):
            await publish_notice(s, p["estate"], "通知", "正文内容", Audience("9"), role=Role.COMMITTEE,
                                 by_person_id=None, now=NOW)
        with pytest.raises(NoticeError, match="指定单元时须同时指定楼栋"):
            Audience(None, "2")


async def test_committee_publishes_to_a_unit_in_the_chat_and_owners_read_it(db: Database) -> None:
    p = await setup(db)
    d = dispatcher(db, Clock(NOW))
    committee, a, c, x = ChatStub(d, "wyh"), ChatStub(d, "a"), ChatStub(d, "c"), ChatStub(d, "x")
    assert "只有本小区的业委会成员" in await a.say("发布公告")
    assert "发给谁" in await committee.say("发布公告")
    assert "楼栋和单元" in await committee.press("指定单元")
    assert "请写成 楼栋-单元" in await committee.say("12")
    assert "发给1号楼2单元" in await committee.say("1-2")
    await committee.say("楼道粉刷")
    assert "请确认（发给1号楼2单元的认证业主）" in await committee.say("本周六粉刷1号楼2单元楼道，请勿触碰墙面。")
    assert "已通知 1 位认证业主" in await committee.press("确认发布")
    assert set(await notified(db)) == {p["c"]}

    listing = await c.say("最近公告")
    assert "1. 楼道粉刷（1号楼2单元） · 11月10日 · 业主委员会" in listing
    assert "本周六粉刷1号楼2单元楼道" in await c.press("1. 楼道粉刷")
    [notice_id] = await _notice_ids(db)
    assert "找不到这条公告" in await a.payload(f"ntc:{notice_id}")  # not addressed to unit 1
    assert await a.say("最近公告") == "最近没有公告。"
    assert "绑定房屋后可以查看" in await x.say("有什么新公告吗")  # free text, routed by intent


async def _notice_ids(db: Database) -> list[int]:
    from storage.models.notices import Notice

    async with db.session() as s:
        return list(await s.scalars(select(Notice.id).order_by(Notice.id)))


async def test_the_broadcaster_delivers_notices_to_the_web_transcript(db: Database) -> None:
    p = await setup(db)
    async with db.session() as s:
        web = await speaker_for(s, "web", "visitor-1", "visitor-1", "")
        ids = await premises_index(s, p["estate"])
        await approve_by_staff(s, web.person.id, ids[("2", "1", "101")], NOW)
        await publish_notice(s, p["estate"], "停水通知", "周六停水，请储水。", Audience(), role=Role.PROPERTY_STAFF,
                             by_person_id=None, now=NOW)
    # Four owners' accounts (three console, one web): each gets it once, in its own transcript.
    assert await Broadcaster(db, {}, clock=lambda: NOW).run_once() == 4
    assert await Broadcaster(db, {}, clock=lambda: NOW).run_once() == 0
    async with db.session() as s:
        [row] = list(await s.scalars(select(ChatMessage).where(ChatMessage.chat_id == "visitor-1")))
    assert row.direction == "out" and row.body["text"].startswith("【公告】停水通知")
