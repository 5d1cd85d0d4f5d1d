"""Notifications reach Telegram through the broadcaster, with the Telegram sender the channel
registers: buttons kept, long texts split, a blocked bot and flood control reported to it."""
from __future__ import annotations

from sqlalchemy import select

from bot.broadcast import Broadcaster
from core.notify import message, notify
from storage.models import ChatIdentity
from storage.models.notifications import Delivery
from storage.repositories.people import PeopleRepository
from tests.channels.conftest import Telegram

NOTICE = "【停水通知】3号楼明日9:00-12:00停水检修，请提前储水。"


async def _residents(t: Telegram, *chats: int) -> list[int]:
    ids = []
    async with t.rt.db.session() as s:
        repo = PeopleRepository(s)
        for chat in chats:
            p = await repo.add_person(f"居民{chat}")
            await repo.add_identity(p, "telegram", str(chat), str(chat))
            ids.append(p.id)
    return ids


async def _statuses(t: Telegram) -> dict[str, str]:
    async with t.rt.db.session() as s:
        return {d.chat_id: d.status for d in await s.scalars(select(Delivery))}


async def test_notices_are_delivered_and_blocked_accounts_marked(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    assert "telegram" in t.rt.senders
    people = await _residents(t, 8001, 8002)
    async with t.rt.db.session() as s:
        await notify(s, people, message(NOTICE, [[("查看公告", "help")]]), "notice", "notice:water")
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")  # the first resident
    await Broadcaster(t.rt.db, dict(t.rt.senders)).run_once()
    [sent] = fake.sent()
    assert sent.chat_id == 8002 and sent.text == NOTICE and sent.button("查看公告") == "help"
    assert await _statuses(t) == {"8001": "blocked", "8002": "sent"}
    async with t.rt.db.session() as s:
        active = {i.external_id: i.active for i in await s.scalars(select(ChatIdentity))}
    assert active == {"8001": False, "8002": True}


async def test_flood_control_is_left_to_the_broadcaster(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    [person] = await _residents(t, 8003)
    async with t.rt.db.session() as s:
        await notify(s, [person], message(NOTICE), "notice", "notice:flood")
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", {"retry_after": 7})
    await Broadcaster(t.rt.db, dict(t.rt.senders)).run_once()
    assert fake.sent() == []
    async with t.rt.db.session() as s:
        [d] = await s.scalars(select(Delivery))
        assert d.status == "pending" and d.error is not None and "7" in d.error


async def test_a_long_notice_is_finished_once_started(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    [person] = await _residents(t, 8004)
    text = "\n\n".join(f"第{i}项：" + "公共收益收支明细。" * 30 for i in range(30))
    async with t.rt.db.session() as s:
        await notify(s, [person], message(text), "notice", "notice:long")
    # Flood control on the second part: waited out here, not a reason to send the first part again.
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", {"retry_after": 1}, after=1)
    await Broadcaster(t.rt.db, dict(t.rt.senders)).run_once()
    pieces = fake.sent(8004)
    assert len(pieces) == 3 and "\n\n".join(p.text for p in pieces) == text
    assert [c.status for c in fake.calls_to("sendMessage")] == [200, 429, 200, 200]
    assert await _statuses(t) == {"8004": "sent"}


async def test_the_sender_goes_away_with_the_channel(polling: Telegram) -> None:
    await polling.service.stop()
    assert "telegram" not in polling.rt.senders
