"""Staff answer from their Telegram group, end to end: a resident complains in the web chat; the
office outbox posts the card to the property company's group on a fake Bot API (real HTTP); staff
press its buttons and reply to it as real Telegram updates fed to the real aiogram dispatcher (and
to python-telegram-bot's, the other framework); the
resident reads the answer in the web chat, rates it, and the ticket is closed from the group.
The same for a street matter: 转派 offers the street office's departments, 退单 asks for a reason."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.channels.telegram.service import TelegramService, start_telegram
from bot.office_delivery import OfficeSender
from core.tickets.outbox import add_channel
from storage.models import Person, StreetOffice
from storage.models.office_outbox import OfficeDelivery
from storage.models.staff_group import StaffGroupMessage
from storage.models.tickets import Ticket, TicketEvent
from storage.repositories.people import PeopleRepository
from tests.channels.conftest import TOKEN, WEBHOOK_SECRET, WEBHOOK_URL, telegram_settings
from tests.channels.fake_bot_api import Call, FakeBotApi
from tests.channels.updates import callback, message, user
from tests.tickets_app.conftest import WebResident, World, buttons, out_texts

PROPERTY_GROUP = {"id": -1002000000001, "title": "安居物业工单群", "type": "supergroup"}
STREET_GROUP = {"id": -1002000000002, "title": "幸福街道工单群", "type": "supergroup"}
CLERK = user(7100001, "客服", "物业甲", username="anju_kefu")  # property staff of 阳光花园
NEIGHBOUR_CLERK = user(7100002, "客服", "物业乙", username="lvcheng_kefu")  # another estate's company
STRANGER = user(7100003, "路人", "甲", username="passerby")  # in the group, not registered
STREET_CLERK = user(7100004, "物业办", "街道", username="xingfu_jd")


@dataclass
class Group:
    world: World
    fake: FakeBotApi
    service: TelegramService
    sender: OfficeSender
    updates: int = 500

    async def feed(self, update: dict[str, Any]) -> None:
        """A Telegram update through aiogram's dispatcher (as the webhook route does)."""
        await self.service.feed_webhook(update)

    def next_id(self) -> int:
        self.updates += 1
        return self.updates

    async def press(self, who: dict[str, Any], chat: dict[str, Any], message_id: int, label: str) -> Call:
        """Press a button of a message the bot sent; returns the answerCallbackQuery call."""
        shown = self.fake.messages[(chat["id"], message_id)]
        data = Call("shown", {"reply_markup": shown.get("reply_markup") or {}}, {}).button(label)
        assert len(data.encode()) <= 64
        update = callback(self.next_id(), who, shown, data)
        await self.feed(update)
        [answer] = [c for c in self.fake.calls_to("answerCallbackQuery")
                    if c.params["callback_query_id"] == update["callback_query"]["id"]]
        return answer

    async def reply(self, who: dict[str, Any], chat: dict[str, Any], to_message_id: int, text: str) -> Call:
        """Reply to a message the bot sent; returns the bot's acknowledgement in the group."""
        before = len(self.fake.sent(chat["id"]))
        await self.feed(message(self.next_id(), who, text, chat=chat,
                                reply_to_message=self.fake.messages[(chat["id"], to_message_id)]))
        return self.fake.sent(chat["id"])[before]

    def shown(self, chat: dict[str, Any], message_id: int) -> dict[str, Any]:
        return self.fake.messages[(chat["id"], message_id)]

    async def status(self, number: str) -> str:
        async with self.world.rt.db.session() as s:
            t = await s.scalar(select(Ticket).where(Ticket.number == number))
            assert t is not None
            return t.status


async def _identity(world: World, person_id: int, tg: dict[str, Any]) -> None:
    async with world.rt.db.session() as s:
        person = await s.get(Person, person_id)
        assert person is not None
        await PeopleRepository(s).add_identity(person, "telegram", str(tg["id"]), str(tg["id"]))


@pytest.fixture(params=["aiogram", "ptb"])
async def group(world: World, request: pytest.FixtureRequest,
                monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Group]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as tests/channels: PTB's next major version's behaviour
    fake = FakeBotApi(TOKEN)
    await fake.start()
    world.rt.settings = telegram_settings(world.rt.settings, fake, str(request.param),
                                          telegram_webhook_url=WEBHOOK_URL, telegram_webhook_secret=WEBHOOK_SECRET)
    service = await start_telegram(world.rt, retry_delays=(0.01,))
    async with world.rt.db.session() as s:
        await add_channel(s, "property_company", "P01", "telegram_group", str(PROPERTY_GROUP["id"]))
        await add_channel(s, "street_office", "S01", "telegram_group", str(STREET_GROUP["id"]))
    await _identity(world, world.staff["property"], CLERK)
    await _identity(world, world.staff["property_neighbour"], NEIGHBOUR_CLERK)
    await _identity(world, world.staff["street"], STREET_CLERK)
    async with httpx.AsyncClient(timeout=10) as http:
        sender = OfficeSender(world.rt.db, http, telegram_api_base=fake.base_url, telegram_token=TOKEN,
                              clock=world.clock)
        yield Group(world, fake, service, sender)
    await service.stop()
    await fake.close()


async def _complain(owner: WebResident, text: str) -> str:
    reply = await owner.say(text)
    assert "对吗？" in reply, reply
    reply = await owner.press("对，提交")
    assert "工单号" in reply, reply
    return reply.split("工单号 ")[1].split("。")[0]


async def test_property_staff_answer_from_the_group_and_the_resident_rates(group: Group) -> None:
    world, fake = group.world, group.fake
    assert world.rt.demo is not None
    async with world.client() as web:
        owner = WebResident(web)
        assert "绑定成功" in await owner.say(world.rt.demo.codes[0][1])
        number = await _complain(owner, "6号楼电梯坏了，一直停在8楼不动，我电话13812345678")

        # The outbox posts the card, by the real HTTP client, to the company's group only.
        assert await group.sender.run_once() == 1
        [card] = fake.sent(PROPERTY_GROUP["id"])
        assert fake.sent(STREET_GROUP["id"]) == []
        assert card.text.startswith(f"工单 {number} · 待受理")
        for part in ("电梯故障或困人", "阳光花园 6号楼", "一直停在8楼不动", "138****5678", "答复期限：11月30日（周一）"):
            assert part in card.text
        assert "13812345678" not in card.text
        assert card.labels() == ["受理", "回复", "转派", "退单", "办结"]
        card_id = int(card.result["message_id"])

        # A group member who is not registered, and one of another estate's company: refused.
        for outsider, why in ((STRANGER, "尚未登记为工作人员"), (NEIGHBOUR_CLERK, "无权查看或处理此工单")):
            answer = await group.press(outsider, PROPERTY_GROUP, card_id, "受理")
            assert answer.params.get("show_alert") is True and why in answer.params["text"]
            assert await group.status(number) == "new"
        assert "待受理" in group.shown(PROPERTY_GROUP, card_id)["text"]
        # The street office sees the ticket but does not answer a property matter it does not supervise:
        # refused before anyone types an answer in vain.
        sent = len(fake.sent(PROPERTY_GROUP["id"]))
        answer = await group.press(STREET_CLERK, PROPERTY_GROUP, card_id, "回复")
        assert answer.params.get("show_alert") is True and "这是物业工单" in answer.params["text"]
        assert len(fake.sent(PROPERTY_GROUP["id"])) == sent

        answer = await group.press(CLERK, PROPERTY_GROUP, card_id, "受理")
        assert answer.params["text"] == "已受理" and not answer.params.get("show_alert")
        assert await group.status(number) == "accepted"
        assert group.shown(PROPERTY_GROUP, card_id)["text"].startswith(f"工单 {number} · 已受理")
        # A press re-sent by Telegram changes nothing twice.
        edits = len(fake.calls_to("editMessageText"))
        await group.feed(callback(group.updates, CLERK, group.shown(PROPERTY_GROUP, card_id),
                                  f"sg:a:{(await _ticket_id(group, number))}"))
        assert len(fake.calls_to("editMessageText")) == edits

        # 回复 asks for a reply; the reply to the card is the answer (taken on: dispatched, answered).
        await group.press(CLERK, PROPERTY_GROUP, card_id, "回复")
        prompt = fake.sent(PROPERTY_GROUP["id"])[-1]
        assert f"工单 {number}" in prompt.text and prompt.params["reply_parameters"]["message_id"] == card_id
        ack = await group.reply(CLERK, PROPERTY_GROUP, card_id, "已联系电梯维保单位，今天下午已修复，请放心使用。")
        assert ack.text == f"✅ 工单 {number} 的答复已发送给居民。"
        assert await group.status(number) == "answered"
        assert group.shown(PROPERTY_GROUP, card_id)["text"].startswith(f"工单 {number} · 已答复")

        # The resident reads it in the web chat, and rates it.
        await world.broadcaster.run_once()
        history = await owner.history()
        text = out_texts(history)
        assert f"工单 {number}（电梯故障或困人）已受理" in text
        assert "【工单答复】" in text and "今天下午已修复" in text
        owner.last = history[-1:]
        assert set(buttons(owner.last)) == {"满意", "基本满意", "不满意"}
        assert "感谢您的评价（满意）" in await owner.press("满意")

        # 办结 from the group closes it; the card loses its buttons.
        answer = await group.press(CLERK, PROPERTY_GROUP, card_id, "办结")
        assert answer.params["text"] == "已办结（销号）"
        assert await group.status(number) == "closed"
        final = group.shown(PROPERTY_GROUP, card_id)
        assert final["text"].startswith(f"工单 {number} · 已办结") and "reply_markup" not in final
        await world.broadcaster.run_once()
        assert f"工单 {number}（电梯故障或困人）已办结（销号）" in out_texts(await owner.history())

    # The outbox's own deliveries of these events edit the same card: one card, nothing left over.
    await group.sender.drain(idle=0.05)
    cards = [c for c in fake.sent(PROPERTY_GROUP["id"]) if c.text.startswith(f"工单 {number} ·")]
    assert len(cards) == 1
    async with world.rt.db.session() as s:
        states = list(await s.scalars(select(OfficeDelivery.status)))
        assert states and set(states) == {"sent"}
        assert await s.scalar(select(func.count()).select_from(StaffGroupMessage)) == 2  # card, prompt
        actions = list(await s.scalars(select(TicketEvent.action).order_by(TicketEvent.id)))
        assert actions == ["create", "accept", "dispatch", "answer", "rate", "close"]
    assert group.shown(PROPERTY_GROUP, card_id)["text"].startswith(f"工单 {number} · 已办结")


async def _ticket_id(group: Group, number: str) -> int:
    async with group.world.rt.db.session() as s:
        tid = await s.scalar(select(Ticket.id).where(Ticket.number == number))
        assert tid is not None
        return tid


async def test_street_staff_summon_a_department_and_a_return_asks_why(group: Group) -> None:
    world, fake = group.world, group.fake
    async with world.client() as web:
        visitor = WebResident(web)
        assert "请问是哪个小区？" in await visitor.say("楼下饭店油烟太大了，呛得没法开窗")
        await visitor.press("阳光花园")
        number = await _complain(visitor, "3号楼后面的小饭店")
    await group.sender.run_once()
    [card] = fake.sent(STREET_GROUP["id"])
    assert fake.sent(PROPERTY_GROUP["id"]) == []  # a street matter: the company's group never sees it
    card_id = int(card.result["message_id"])
    assert "餐饮油烟污染" in card.text

    # Property staff of the estate have no say over a street matter.
    answer = await group.press(CLERK, STREET_GROUP, card_id, "受理")
    assert answer.params.get("show_alert") is True and await group.status(number) == "new"
    # 退单 before anything was dispatched: the rule's refusal, no prompt.
    answer = await group.press(STREET_CLERK, STREET_GROUP, card_id, "退单")
    assert answer.params["show_alert"] is True and "不能退单" in answer.params["text"]
    await group.press(STREET_CLERK, STREET_GROUP, card_id, "受理")

    await group.press(STREET_CLERK, STREET_GROUP, card_id, "转派")
    chooser = fake.sent(STREET_GROUP["id"])[-1]
    assert "派单至哪个部门" in chooser.text and chooser.labels()[0] == "区生态环境分局"
    chooser_id = int(chooser.result["message_id"])
    answer = await group.press(STREET_CLERK, STREET_GROUP, chooser_id, "区生态环境分局")
    assert answer.params["text"] == "已派单至区生态环境分局"
    assert await group.status(number) == "dispatched"
    assert "reply_markup" not in group.shown(STREET_GROUP, chooser_id)
    async with world.rt.db.session() as s:
        t = await s.scalar(select(Ticket).where(Ticket.number == number))
        assert t is not None and t.department == "environment"
        office = await s.scalar(select(StreetOffice).where(StreetOffice.code == "S01"))
        assert office is not None and t.office_id == office.id

    await group.press(STREET_CLERK, STREET_GROUP, card_id, "退单")
    prompt = fake.sent(STREET_GROUP["id"])[-1]
    assert "退单原因" in prompt.text
    ack = await group.reply(STREET_CLERK, STREET_GROUP, int(prompt.result["message_id"]), "该饭店属于相邻街道辖区")
    assert ack.text == f"✅ 工单 {number} 已退单。"
    assert await group.status(number) == "returned"
    shown = group.shown(STREET_GROUP, card_id)["text"]
    assert "已退单" in shown and "该饭店属于相邻街道辖区" in shown

    # A reply without words is refused with a message, and changes nothing.
    before = len(fake.sent(STREET_GROUP["id"]))
    await group.feed(message(group.next_id(), STREET_CLERK, None, chat=STREET_GROUP,
                             reply_to_message=group.shown(STREET_GROUP, card_id),
                             photo=[{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]))
    [warning] = fake.sent(STREET_GROUP["id"])[before:]
    assert warning.text.startswith("⚠️") and await group.status(number) == "returned"
