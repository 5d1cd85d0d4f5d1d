"""WeChat's 48-hour customer-service window: notifications go out inside it, are held outside it
(without calling WeChat), and are sent when the resident writes again. Clocks are frozen."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.broadcast import Broadcaster
from bot.channels.wechat import store
from bot.channels.wechat.sender import WINDOW_REASON, WechatSender
from bot.runtime import Runtime
from core.notify import message, notify
from storage.db import Database
from storage.models.notifications import Delivery
from storage.models.wechat import WechatContact, WechatMenu
from storage.repositories.people import PeopleRepository
from tests.channels_wechat import vectors as v
from tests.channels_wechat.conftest import AppFactory, FakeWechat, Phone

TOKEN, AES, APPID = v.MP_TOKEN, v.MP_AES_KEY, v.MP_APPID
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
NOTICE = "【停水通知】3号楼明日9:00-12:00停水检修，请提前储水。"


async def wechat_residents(db: Database, openids: list[str]) -> list[int]:
    ids = []
    async with db.session() as s:
        repo = PeopleRepository(s)
        for o in openids:
            p = await repo.add_person(f"居民{o}")
            await repo.add_identity(p, "wechat", o, o)
            ids.append(p.id)
    return ids


async def deliveries(db: Database) -> dict[str, tuple[str, str | None, int]]:
    """(status, error, attempts) by openid."""
    async with db.session() as s:
        return {d.chat_id: (d.status, d.error, d.attempts) for d in await s.scalars(select(Delivery))}


def sender_for(rt: Runtime) -> WechatSender:
    sender = rt.senders["wechat"]
    assert isinstance(sender, WechatSender)
    return sender


def broadcaster(rt: Runtime, now: datetime, tally: dict[str, int]) -> Broadcaster:
    def done(status: str) -> None:
        tally[status] = tally.get(status, 0) + 1

    return Broadcaster(rt.db, {"wechat": sender_for(rt)}, clock=lambda: now, on_done=done)


async def test_inside_the_window_sends_outside_it_holds_without_calling_wechat(
        wechat_app: AppFactory, fake_wechat: FakeWechat) -> None:
    _, rt, _ = await wechat_app(TOKEN, AES, APPID)
    people = await wechat_residents(rt.db, ["oRecent", "oEdge", "oOld", "oNever"])
    await store.touch(rt.db, "oRecent", NOW - timedelta(hours=47, minutes=59), NOW)
    await store.touch(rt.db, "oEdge", NOW - timedelta(hours=48), NOW)  # exactly 48 h: closed
    await store.touch(rt.db, "oOld", NOW - timedelta(days=5), NOW)
    async with rt.db.session() as s:
        await notify(s, people, message(NOTICE, [[("我的信息", "me")]]), "notice", "notice:water")
    tally: dict[str, int] = {}
    assert await broadcaster(rt, NOW, tally).drain() == 1
    assert [m["touser"] for m in fake_wechat.sent] == ["oRecent"]
    assert fake_wechat.sent[0]["text"]["content"].startswith(NOTICE)
    held = ("held", WINDOW_REASON, 0)  # not attempted: WeChat was never called for them
    assert await deliveries(rt.db) == {"oRecent": ("sent", None, 1), "oEdge": held, "oOld": held,
                                       "oNever": held}
    assert tally == {"sent": 1, "held": 3}  # what the progress bar and the summary count
    # The notice's choice is remembered for the one who got it: "1" presses it.
    async with rt.db.session() as s:
        menu = await s.get(WechatMenu, "oRecent")
        assert menu is not None and menu.options == [["我的信息", "me"]]
    # Held is final for the broadcaster: nothing is due, nothing is retried.
    b = broadcaster(rt, NOW + timedelta(days=1), {})
    assert await b.next_due_in() is None and await b.drain() == 0 and len(fake_wechat.sent) == 1


async def test_an_inbound_message_reopens_the_window_and_the_held_notice_goes_out(
        wechat_app: AppFactory, fake_wechat: FakeWechat) -> None:
    http, rt, channel = await wechat_app(TOKEN, AES, APPID)
    [pid] = await wechat_residents(rt.db, ["oBack"])
    async with rt.db.session() as s:
        await notify(s, [pid], message(NOTICE), "notice", "notice:water")
    later = datetime.now(timezone.utc)
    assert await broadcaster(rt, later, {}).drain() == 0
    assert (await deliveries(rt.db))["oBack"][0] == "held" and fake_wechat.sent == []
    # The resident writes (any message, through the real webhook): the window is open again.
    phone = Phone(http, "oBack", TOKEN, AES, APPID)
    assert "/bind" in await phone.say("/help")
    async with rt.db.session() as s:
        contact = await s.get(WechatContact, "oBack")
        assert contact is not None and contact.last_inbound_at > later - timedelta(minutes=1)
    assert (await deliveries(rt.db))["oBack"] == ("pending", None, 0)
    tally: dict[str, int] = {}
    assert await broadcaster(rt, datetime.now(timezone.utc), tally).drain() == 1
    assert [m["text"]["content"] for m in fake_wechat.sent] == [NOTICE] and tally == {"sent": 1}
    # 48 hours after that message the window is closed again.
    await channel.drain()
    async with rt.db.session() as s:
        await notify(s, [pid], message("【公告】电梯年检"), "notice", "notice:lift")
    tally = {}
    assert await broadcaster(rt, datetime.now(timezone.utc) + timedelta(hours=48, minutes=1), tally).drain() == 0
    assert tally == {"held": 1} and len(fake_wechat.sent) == 1


async def test_events_that_do_not_count_as_writing_leave_the_window_closed(
        wechat_app: AppFactory) -> None:
    http, rt, _ = await wechat_app(TOKEN, AES, APPID)
    phone = Phone(http, "oView", TOKEN, AES, APPID)
    for event in ("VIEW", "unsubscribe", "LOCATION"):
        await phone.push(phone.fields(MsgType="event", Event=event, EventKey="https://example.org"))
    now = datetime.now(timezone.utc)
    assert await store.outside_window(rt.db, ["oView"], now) == {"oView"}
    await phone.push(phone.fields(MsgType="event", Event="CLICK", EventKey="help"))
    assert await store.outside_window(rt.db, ["oView"], now) == set()


async def test_wechat_refusing_with_45015_holds_the_delivery_the_same_way(
        wechat_app: AppFactory, fake_wechat: FakeWechat) -> None:
    _, rt, _ = await wechat_app(TOKEN, AES, APPID)
    people = await wechat_residents(rt.db, ["oA", "oB"])
    for o in ("oA", "oB"):
        await store.touch(rt.db, o, NOW - timedelta(hours=1), NOW)
    async with rt.db.session() as s:
        await notify(s, people, message(NOTICE), "notice", "notice:water")
    # Our record says "open", WeChat says otherwise (e.g. its clock): it wins, once.
    fake_wechat.fail_next_send = {"errcode": 45015, "errmsg": "response out of time limit"}
    tally: dict[str, int] = {}
    assert await broadcaster(rt, NOW, tally).drain() == 1
    got = await deliveries(rt.db)
    assert sorted(got.values()) == [("held", WINDOW_REASON, 1), ("sent", None, 1)]
    assert tally == {"held": 1, "sent": 1} and len(fake_wechat.sent) == 1


async def test_a_return_after_months_does_not_bring_a_pile_of_old_notices(
        wechat_app: AppFactory) -> None:
    _, rt, _ = await wechat_app(TOKEN, AES, APPID)
    [pid] = await wechat_residents(rt.db, ["oAway"])
    async with rt.db.session() as s:
        await notify(s, [pid], message("旧通知"), "notice", "notice:old")
        await notify(s, [pid], message("新通知"), "notice", "notice:new")
    await broadcaster(rt, NOW, {}).drain()
    real_now = datetime.now(timezone.utc)
    # Seen from 40 days on, the two notices (created now) are too old to send; seen from now, not.
    assert await store.touch(rt.db, "oAway", real_now, real_now + timedelta(days=40)) == 0
    assert await store.touch(rt.db, "oAway", real_now, real_now) == 2
    # An older push arriving late (WeChat re-sends) does not move the window back.
    await store.touch(rt.db, "oAway", real_now - timedelta(days=3), real_now)
    assert await store.outside_window(rt.db, ["oAway"], real_now + timedelta(hours=47)) == set()


async def test_linli_broadcast_run_sends_and_holds_and_says_so(
        db_url: str, db: Database, fake_wechat: FakeWechat) -> None:
    import asyncio
    import os
    import sys

    from tests.broadcast.conftest import ROOT

    people = await wechat_residents(db, ["oIn", "oOut"])
    now = datetime.now(timezone.utc)
    await store.touch(db, "oIn", now - timedelta(hours=1), now)
    async with db.session() as s:
        await notify(s, people, message(NOTICE), "notice", "notice:water")
    env = {**os.environ, "LINLI_DATABASE_URL": db_url, "LINLI_DEMO": "false", "LINLI_TELEGRAM_TOKEN": "",
           "LINLI_WECHAT_APPID": APPID, "LINLI_WECHAT_APP_SECRET": "app-secret",
           "LINLI_WECHAT_API_BASE": fake_wechat.base, "LINLI_REDIS_URL": "", "PYTHONPATH": str(ROOT)}

    async def linli(*args: str) -> str:
        # Not subprocess.run: the fake WeChat server answers on this test's event loop.
        p = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.commands.broadcast", *args,
                                                 env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
                                                 stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(p.communicate(), 120)
        assert p.returncode == 0, err.decode()
        return out.decode()

    assert "完成：held 1，sent 1" in await linli("run", "--no-progress")
    assert [m["touser"] for m in fake_wechat.sent] == ["oIn"]
    status = await linli("status")
    assert "wechat\tsent 1\theld 1" in status and "48小时" in status
