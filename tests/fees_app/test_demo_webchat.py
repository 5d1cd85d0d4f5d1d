"""The demo story in the web chat: an owner of 阳光花园 asks "我家物业费多少钱" and gets their own
figure with the arithmetic; a committee member publishes the fee disclosure, which arrives in the
owner's chat with a poster image."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.broadcast import Broadcaster
from bot.config import Settings
from bot.runtime import Runtime, start_runtime
from bot.web.app import create_app
from core.demo import ESTATE_CODE
from core.fees.demo import seed_fee_demo
from core.fees.ledger import estate_statements, local_day, premises_index
from storage.models import Estate
from storage.models.fees import FeeBill


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    r = await start_runtime(settings, migrate=False, seed=True)
    yield r
    await r.close()


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["body"].get("text", "") for m in messages if m["direction"] == "out")


async def test_owner_asks_and_committee_discloses_in_the_web_chat(rt: Runtime) -> None:
    now = datetime.now(timezone.utc)
    rt.services.clock = lambda: now
    async with rt.db.session() as s:
        estate = await s.scalar(select(Estate).where(Estate.code == ESTATE_CODE))
        assert estate is not None
        ids = await premises_index(s, estate.id)
        # seed_demo seeded the fees too: three months of bills for 200 premises.
        assert await s.scalar(select(func.count(FeeBill.id))) == 600
    async with rt.db.session() as s:
        owed = await estate_statements(s, estate.id, local_day(estate, now))
    assert owed[ids[("1", "1", "101")]].arrears_total > 0 and owed[ids[("1", "1", "102")]].arrears_total == 0
    async with rt.db.session() as s:
        assert (await seed_fee_demo(s, estate.id, now)).bills == 0  # seeded once

    app = create_app(rt)
    assert rt.demo is not None

    def visitor() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")

    async with visitor() as owner, visitor() as committee:
        async def say(c: httpx.AsyncClient, **body: Any) -> list[dict[str, Any]]:
            r = await c.post("/api/chat/messages", json=body)
            assert r.status_code == 200, r.text
            return r.json()["messages"]

        place, code = rt.demo.codes[0]
        assert place == "1号楼1单元101"
        assert "绑定成功" in texts(await say(owner, text=code))
        answer = texts(await say(owner, text="我家物业费多少钱"))
        # 1号楼1单元101 (surveyed 126.75㎡, one parking space): this month's bill with its arithmetic.
        assert "【阳光花园 1号楼1单元101】" in answer
        assert "物业服务费：126.75㎡ × 1.20元/㎡·月 × 1个月 = 152.10元；应缴 152.10元" in answer
        assert "停车费：1个车位 × 150.00元/个·月 × 1个月 = 150.00元；应缴 150.00元" in answer
        assert "本期合计应缴 302.10元" in answer and "（已逾期）" in answer
        assert "1号楼1单元102" not in answer

        invite = dict(rt.demo.invites)["业委会成员"]
        assert "业委会成员身份" in texts(await say(committee, text=f"/bind {invite}"))
        out = await say(committee, text="发布收费公示")
        assert "收费公示预览" in texts(out)
        publish = [b for row in out[-1]["body"]["buttons"] for b in row if b["label"] == "确认发布"][0]
        assert "已通知 1 位认证业主" in texts(await say(committee, payload=publish["payload"], label="确认发布"))

        await Broadcaster(rt.db, {}, clock=lambda: now).run_once()
        last = (await owner.get("/api/chat/messages")).json()["messages"][-1]["body"]
        assert last["text"].startswith("【收费公示】阳光花园")
        assert "物业服务费：1.20元/㎡·月，政府指导价（基准价1.20元，浮动幅度±10%）" in last["text"]
        image_button = last["buttons"][0][0]
        assert image_button["label"] == "公示图片"
        shown = await say(owner, payload=image_button["payload"], label="公示图片")
        poster = await owner.get(shown[-1]["body"]["image"]["url"])
        assert poster.status_code == 200 and poster.content[:4] == b"\x89PNG"
        listing = texts(await say(owner, text="最近公告"))
        assert "1. 收费公示" in listing and "停水通知" in listing
