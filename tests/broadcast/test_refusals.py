"""What the platform refuses: flood control (429 retry_after) and a blocked bot (403)."""
from __future__ import annotations

from sqlalchemy import select

from bench.fake_telegram import EnforcingBotApi
from bot.broadcast import Broadcaster
from bot.channels.telegram.sender import TelegramSender
from core.notify import message, notify
from storage.db import Database
from storage.models import ChatIdentity
from storage.models.notifications import Delivery
from tests.broadcast.conftest import limits, queue, residents, statuses


async def test_retry_after_pauses_the_whole_channel_and_the_message_is_sent_once_later(
        db: Database, fake: EnforcingBotApi, sender: TelegramSender) -> None:
    chats = list(range(6001, 6009))
    await queue(db, await residents(db, chats), "notice:flood")
    # The third message is refused with "retry after 2".
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", {"retry_after": 2}, after=2)
    b = Broadcaster(db, {"telegram": sender}, limits=limits(rate=20, per_chat=1.0, in_flight=4))
    assert await b.drain() == 8
    calls = fake.calls_to("sendMessage")
    [refused] = [i for i, c in enumerate(calls) if c.status == 429]
    assert refused == 2
    times = fake.send_times()
    refused_at, later = times[refused], times[refused + 1:]
    # Nobody on the channel was written to during the pause (one call may have been in flight).
    assert sum(1 for t in later if t < refused_at + 1.9) <= 1
    per_chat = {c: len(fake.sent(c)) for c in chats}
    assert per_chat == dict.fromkeys(chats, 1)
    async with db.session() as s:
        d = await s.scalar(select(Delivery).where(Delivery.chat_id == str(calls[refused].chat_id)))
        assert d is not None and d.status == "sent" and d.attempts == 2


async def test_a_blocked_bot_marks_the_account_inactive_and_no_more_is_queued_for_it(
        db: Database, fake: EnforcingBotApi, sender: TelegramSender) -> None:
    chats = [7001, 7002, 7003]
    people = await residents(db, chats)
    fake.blocked.add(7002)
    await queue(db, people, "notice:first")
    b = Broadcaster(db, {"telegram": sender}, limits=limits(rate=20, per_chat=1.0))
    assert await b.drain() == 2
    assert await statuses(db) == {"7001": ["sent"], "7002": ["blocked"], "7003": ["sent"]}
    async with db.session() as s:
        active = {i.external_id: i.active for i in await s.scalars(select(ChatIdentity))}
        assert active == {"7001": True, "7002": False, "7003": True}
        await notify(s, people, message("【公告】电梯年检"), "notice", "notice:second")
    await b.drain()
    assert await statuses(db) == {"7001": ["sent", "sent"], "7002": ["blocked"], "7003": ["sent", "sent"]}
    assert [len(fake.sent(c)) for c in chats] == [2, 0, 2]


async def test_two_workers_deliver_each_web_notice_once(db) -> None:  # type: ignore[no-untyped-def]
    """Two broadcasters on one database (two `linli run` workers): one transcript row per chat."""
    import asyncio

    from sqlalchemy import func, select

    from bot.broadcast import Broadcaster
    from core.notify import message, notify
    from storage.models import ChatMessage
    from storage.repositories.people import PeopleRepository

    async with db.session() as s:
        people = PeopleRepository(s)
        ids = []
        for i in range(30):
            p = await people.add_person(f"p{i}")
            await people.add_identity(p, "web", f"w{i}", f"w{i}")
            ids.append(p.id)
        await notify(s, ids, message("停水通知"), "notice", "notice:1")
    await asyncio.gather(Broadcaster(db, {}).run_once(), Broadcaster(db, {}).run_once())
    async with db.session() as s:
        assert await s.scalar(select(func.count(ChatMessage.id))) == 30
