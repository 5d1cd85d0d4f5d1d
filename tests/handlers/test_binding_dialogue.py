"""Binding a premises, as a scripted dialogue through the real conversation core."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.verification import VerificationPolicy, issue_codes
from handlers import default_routers
from handlers.dispatcher import Dispatcher, Services
from storage.db import Database
from storage.models import Building, Owner, Premises, Residency, VerificationCode
from tests.chat_stub import ChatStub
from tests.helpers import make_estate

SECRET = "s3cret"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dispatcher(db: Database, clock: Clock) -> Dispatcher:
    return Dispatcher(db, Services(secret=SECRET, clock=clock), default_routers())


async def _premises(db: Database) -> list[Premises]:
    async with db.session() as s:
        estate = await make_estate(s, "T1", name="幸福里")
        b = Building(estate_id=estate.id, number="3")
        o = Owner(estate_id=estate.id, code="O1", name="甲", kind="person")
        s.add_all([b, o])
        await s.flush()
        ps = [Premises(estate_id=estate.id, building_id=b.id, unit_key="", room=r, use="residential",
                       area_registered=Decimal("89.37"), owner_id=o.id) for r in ("501", "502")]
        s.add_all(ps)
        await s.flush()
        return ps


async def _codes(db: Database, premises: list[Premises], now: datetime,
                 policy: VerificationPolicy = VerificationPolicy()) -> list[str]:
    async with db.session() as s:
        return [c for _, c in await issue_codes(s, SECRET, premises, now, policy)]


async def test_bind_then_me_shows_the_premises(db: Database, dispatcher: Dispatcher, clock: Clock) -> None:
    ps = await _premises(db)
    [code] = await _codes(db, ps[:1], clock.now)
    chat = ChatStub(dispatcher)
    assert "邻里" in await chat.say("/start")
    assert "您还没有绑定房屋" in await chat.press("我的信息")
    assert "验证码" in await chat.press("绑定房屋")
    assert "无效" in await chat.say("ABCD-EFGH")
    assert "这不像验证码" in await chat.say("我家在3号楼")
    reply = await chat.say(code.lower().replace("-", " "))  # typed sloppily, still accepted
    assert "绑定成功" in reply and "幸福里" in reply and "3号楼501" in reply
    me = await chat.say("/me")
    assert "3号楼501" in me and "89.37" in me and "业主" in me


async def test_code_is_single_use_and_stored_hashed(db: Database, dispatcher: Dispatcher, clock: Clock) -> None:
    ps = await _premises(db)
    [code] = await _codes(db, ps[:1], clock.now)
    async with db.session() as s:
        stored = [c.code_hash for c in await s.scalars(select(VerificationCode))]
    assert stored and all(code.replace("-", "") not in h and code not in h for h in stored)
    assert "绑定成功" in await ChatStub(dispatcher, "alice").say(f"/bind {code}")
    assert "无效" in await ChatStub(dispatcher, "bob").say(f"/bind {code}")
    assert "无需重复" not in await ChatStub(dispatcher, "alice").say(f"/bind {code}")
    async with db.session() as s:
        assert len(list(await s.scalars(select(Residency)))) == 1


async def test_expired_code_refused(db: Database, dispatcher: Dispatcher, clock: Clock) -> None:
    ps = await _premises(db)
    [code] = await _codes(db, ps[:1], clock.now, VerificationPolicy(valid_days=1))
    clock.now += timedelta(days=1, seconds=1)
    assert "无效" in await ChatStub(dispatcher).say(f"/bind {code}")


async def test_guessing_is_throttled_then_allowed_again(db: Database, dispatcher: Dispatcher,
                                                        clock: Clock) -> None:
    ps = await _premises(db)
    [code] = await _codes(db, ps[:1], clock.now)
    chat = ChatStub(dispatcher)
    for _ in range(5):
        assert "无效" in await chat.say("/bind ZZZZ-ZZZZ")
    # Even the right code is refused while throttled: guessing must not pay off.
    assert "尝试次数过多" in await chat.say(f"/bind {code}")
    clock.now += timedelta(minutes=16)
    assert "绑定成功" in await chat.say(f"/bind {code}")


async def test_cancel_leaves_the_flow(db: Database, dispatcher: Dispatcher) -> None:
    chat = ChatStub(dispatcher)
    await chat.say("/bind")
    assert "已取消" in await chat.press("取消")
    assert "当前没有进行中的操作" in await chat.say("取消")


async def test_english_speaker_gets_english(db: Database, clock: Clock) -> None:
    from handlers.messages import Incoming

    d = Dispatcher(db, Services(secret=SECRET, clock=clock), default_routers())
    replies = await d.handle(Incoming("web", "e1", "e1", text="/help", language="en"))
    assert "Commands" in replies[0].text
