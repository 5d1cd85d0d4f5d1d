"""The Telegram staff card through the office outbox, against the fake Bot API: posted once with its
buttons and remembered; edited in place by later events (only the latest of a burst); an edit that
changes nothing ("message is not modified") counts as delivered; a card deleted in the group is
posted anew."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from bot.office_delivery import OfficeSender
from core.tickets.lifecycle import Action
from core.tickets.outbox import add_channel
from core.tickets.service import act, staff_actor
from storage.db import Database
from storage.models import Estate
from storage.models.office_outbox import OfficeDelivery
from storage.models.staff_group import StaffGroupMessage
from storage.models.tickets import Ticket
from tests.channels.conftest import TOKEN
from tests.channels.fake_bot_api import FakeBotApi
from tests.tickets_app.helpers import T0, new_ticket, setup_place

GROUP = -1002000000001


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    f = FakeBotApi(TOKEN)
    await f.start()
    yield f
    await f.close()


async def _cards(db: Database) -> list[tuple[int, int, str]]:
    async with db.session() as s:
        return [(m.chat_id, m.message_id, m.kind) for m in
                await s.scalars(select(StaffGroupMessage).order_by(StaffGroupMessage.id))]


async def test_card_posted_once_then_edited(db: Database, fake: FakeBotApi) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        estate = await s.get(Estate, p.estate_id)
        assert estate is not None and estate.property_company_id is not None
        await add_channel(s, "property_company", str(estate.property_company_id), "telegram_group", str(GROUP))
        t = await new_ticket(s, p, text="6号楼电梯坏了，联系我13987654321")
        tid, number = t.id, t.number
    async with httpx.AsyncClient(timeout=5) as http:
        sender = OfficeSender(db, http, telegram_api_base=fake.base_url, telegram_token=TOKEN)
        assert await sender.run_once() == 1
        [card] = fake.sent(GROUP)
        assert card.text.startswith(f"工单 {number} · 待受理") and "139****4321" in card.text
        assert card.labels() == ["受理", "回复", "转派", "退单", "办结"]
        assert card.button("受理") == f"sg:a:{tid}"
        card_id = int(card.result["message_id"])
        assert await _cards(db) == [(GROUP, card_id, "card")]

        # A burst of events: only the latest edits the card; no new message.
        async with db.session() as s:
            t2 = await s.get(Ticket, tid)
            assert t2 is not None
            who = await staff_actor(s, p.property_staff, t2)
            await act(s, t2, who, Action.ACCEPT, T0)
            await act(s, t2, who, Action.DISPATCH, T0)
        assert await sender.run_once() == 2
        assert len(fake.sent(GROUP)) == 1
        [edit] = fake.calls_to("editMessageText")
        assert edit.params["message_id"] == card_id
        assert fake.messages[(GROUP, card_id)]["text"].startswith(f"工单 {number} · 已派单")

        # Delivered again (as after a crash between the call and the mark): "not modified" is done.
        async with db.session() as s:
            last = await s.scalar(select(OfficeDelivery.id).order_by(OfficeDelivery.id.desc()).limit(1))
            await s.execute(update(OfficeDelivery).where(OfficeDelivery.id == last)
                            .values(status="sending", next_attempt_at=T0 - timedelta(minutes=5)))
        assert await sender.run_once() == 1
        assert fake.calls_to("editMessageText")[-1].status == 400
        async with db.session() as s:
            assert set(await s.scalars(select(OfficeDelivery.status))) == {"sent"}

        # The card was deleted in the group: the next event posts a new one and remembers it.
        del fake.messages[(GROUP, card_id)]
        async with db.session() as s:
            t3 = await s.get(Ticket, tid)
            assert t3 is not None
            await act(s, t3, await staff_actor(s, p.property_staff, t3), Action.START, T0)
        assert await sender.run_once() == 1
        new_card = fake.sent(GROUP)[-1]
        assert new_card.text.startswith(f"工单 {number} · 办理中")
        assert await _cards(db) == [(GROUP, card_id, "card"), (GROUP, int(new_card.result["message_id"]), "card")]
