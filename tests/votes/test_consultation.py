"""A consultation from question to themes, through the chat, with anonymised quotes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from core.consultation import anonymise
from core.verification import approve_by_staff
from handlers import default_routers
from handlers.dispatcher import Dispatcher, Services
from storage.db import Database
from storage.models import Premises
from storage.repositories.people import PeopleRepository
from tests.chat_stub import ChatStub
from tests.votes.conftest import estate_with_register


def test_anonymise_hides_phones_rooms_and_names() -> None:
    t = anonymise("我是张伟，3号楼2单元501，电话13812345678，东门晚上太吵")
    assert "13812345678" not in t and "501" not in t and "张伟" not in t and "东门晚上太吵" in t


async def test_consultation_in_chat(db: Database) -> None:
    now = datetime(2026, 11, 23, 2, tzinfo=timezone.utc)
    d = Dispatcher(db, Services(secret="x", clock=lambda: now), default_routers())
    committee, a, b, stranger = (ChatStub(d, n) for n in ("c", "a", "b", "s"))
    await committee.say("/start")
    await a.say("/start")
    await b.say("/start")
    async with db.session() as s:
        estate = await estate_with_register(s)
        people = PeopleRepository(s)
        rooms = list(await s.scalars(select(Premises).order_by(Premises.id)))
        for stub, premises in ((a, rooms[0]), (b, rooms[2])):
            ident = await people.identity("console", stub.sender)
            assert ident is not None
            await approve_by_staff(s, ident.person_id, premises.id, now)
        ident = await people.identity("console", "c")
        assert ident is not None
        await people.grant(ident.person_id, "committee", "estate", estate.id)
    assert "只有业委会成员" in await stranger.say("征求意见")
    assert "问题" in await committee.say("征求意见")
    await committee.say("东门是否改为夜间23点关闭？")
    await committee.say("同意、不同意")
    assert "已向本小区认证业主发出征求意见" in await committee.say((now + timedelta(days=7)).date().isoformat())
    cid = committee.last[0].buttons[0][0].payload.split(":")[1]
    assert "已记录您的选择：同意" in await a.payload(f"cons:{cid}:0")
    await a.press("补充文字意见")
    await a.say("夜里外卖电动车从东门进出太吵了，我住3号楼501，电话13812345678")
    await b.payload(f"cons:{cid}:1")
    await b.press("补充文字意见")
    await b.say("晚上关门的话快递和外卖进不来，电动车绕路不方便")
    assert "认证业主" in await stranger.payload(f"cons:{cid}:0")
    assert "只有发起方" in await a.payload(f"consr:{cid}")
    result = await committee.payload(f"consr:{cid}")
    assert "共 2 人参与" in result and "· 同意：1 人" in result and "· 不同意：1 人" in result
    assert "电动车" in result.split("主要关注：")[1].split("\n")[0]
    assert "13812345678" not in result and "501" not in result
