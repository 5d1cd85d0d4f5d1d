"""The demo story: a committee member announces a vote in the web chat, owners vote with buttons,
the close publishes the result with its arithmetic and a chart, delivered to every owner's chat."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from bot.broadcast import Broadcaster
from bot.config import Settings
from bot.runtime import Runtime, start_runtime
from bot.web.app import create_app
from core.voting.service import close_due, open_due


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    r = await start_runtime(settings, migrate=False, seed=True)
    yield r
    await r.close()


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["body"].get("text", "") for m in messages if m["direction"] == "out")


async def test_committee_vote_in_the_web_chat(rt: Runtime) -> None:
    clock = Clock()
    rt.services.clock = clock
    assert rt.demo is not None and rt.demo.created
    app = create_app(rt)
    broadcaster = Broadcaster(rt.db, {}, clock=clock)

    def visitor() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")

    async with visitor() as committee, visitor() as owner1, visitor() as owner2, visitor() as outsider:
        async def say(c: httpx.AsyncClient, **body: Any) -> list[dict[str, Any]]:
            r = await c.post("/api/chat/messages", json=body)
            assert r.status_code == 200, r.text
            return r.json()["messages"]

        codes = list(rt.demo.codes)
        assert "绑定成功" in texts(await say(owner1, text=codes[0][1]))
        assert "绑定成功" in texts(await say(owner2, text=codes[3][1]))
        assert "只有业委会成员" in texts(await say(outsider, text="/newvote"))
        invite = dict(rt.demo.invites)["业委会成员"]
        assert "业委会成员身份" in texts(await say(committee, text=f"/bind {invite}"))

        assert "标题" in texts(await say(committee, text="发起表决"))
        await say(committee, text="续聘安居物业")
        out = await say(committee, text="是否续聘安居物业服务有限公司，服务期三年？")
        matter_button = [b for row in out[-1]["body"]["buttons"] for b in row if b["payload"].endswith("property_manager")]
        too_soon = (clock.now + timedelta(days=10)).date().isoformat()
        start = (clock.now + timedelta(days=16)).date().isoformat()
        end = (clock.now + timedelta(days=26)).date().isoformat()
        await say(committee, payload=matter_button[0]["payload"], label=matter_button[0]["label"])
        assert "提前15日" in texts(await say(committee, text=f"{too_soon} {end}"))
        assert "已公告表决" in texts(await say(committee, text=f"{start} {end}"))

        await broadcaster.run_once()
        history1 = (await owner1.get("/api/chat/messages")).json()["messages"]
        assert "【表决公告】续聘安居物业" in texts(history1)
        assert "【表决公告】" not in texts((await outsider.get("/api/chat/messages")).json()["messages"])

        clock.now += timedelta(days=17)
        async with rt.db.session() as s:
            [vote] = await open_due(s, clock.now)
        await broadcaster.run_once()
        last = (await owner1.get("/api/chat/messages")).json()["messages"][-1]
        assert "【表决开始】" in last["body"]["text"]
        yes = last["body"]["buttons"][0][0]
        assert yes == {"label": "同意", "payload": f"vote:{vote.id}:yes"}
        assert "回执" in texts(await say(owner1, payload=f"vote:{vote.id}:no", label="反对"))
        assert "同意，回执" in texts(await say(owner1, payload=yes["payload"], label="同意"))  # changed
        assert "同意，回执" in texts(await say(owner2, payload=yes["payload"], label="同意"))
        assert "不在这项表决的业主名册" in texts(await say(outsider, payload=yes["payload"], label="同意"))
        assert "您的意见：同意" in texts(await say(owner1, text="投票"))

        clock.now += timedelta(days=10)
        async with rt.db.session() as s:
            [closed] = await close_due(s, clock.now)
        await broadcaster.run_once()
        result = (await owner2.get("/api/chat/messages")).json()["messages"][-1]["body"]
        assert "【表决结果】续聘安居物业：未通过" in result["text"]  # two owners are far from the quorum
        assert "参与表决面积" in result["text"] and "未达到" in result["text"]
        chart = await owner2.get(result["image"]["url"])
        assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
        assert chart.content[:4] == b"\x89PNG"
        assert closed.result is not None and closed.result["verdict"]["participants"]["persons"] == 2


def test_paper_ballot_proxy_and_verify_from_the_command_line(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import os
    import subprocess
    import sys

    from core.voting.service import VoteDraft, announce
    from storage.db import Database
    from tests.votes.conftest import NOW, estate_with_register

    async def setup() -> int:
        db = Database(db_url)
        async with db.session() as s:
            e = await estate_with_register(s)
            v = await announce(s, VoteDraft(e.id, "改建车棚", "是否改建车棚？", "rebuild",
                                            NOW + timedelta(days=15), datetime(2099, 1, 1, tzinfo=timezone.utc)),
                               None, NOW)
        async with db.session() as s:
            await open_due(s, NOW + timedelta(days=15))
        await db.dispose()
        return v.id

    vote_id = asyncio.run(setup())
    env = {**os.environ, "LINLI_DATABASE_URL": db_url, "LINLI_DEMO": "false", "LINLI_SECRET_KEY": "x",
           "LINLI_DATA_DIR": str(tmp_path)}

    def linli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "vote", *args], capture_output=True, text=True,
                              env=env, timeout=120)

    r = linli("paper", str(vote_id), "--owner", "O3", "--choice", "同意")
    assert r.returncode != 0  # the scanned sheet reference is required
    assert linli("proxy", str(vote_id), "--owner", "O4", "--name", "王律师", "--ref", "WT-7").returncode == 0
    r = linli("paper", str(vote_id), "--owner", "O4", "--choice", "反对", "--ref", "SCAN-12", "--proxy", "王律师")
    assert r.returncode == 0, r.stderr
    receipt = r.stdout.split("回执 ")[1].strip()
    r = linli("verify", str(vote_id), "--receipt", receipt)
    assert r.returncode == 0 and "回执在记录链中" in r.stdout
    r = linli("result", str(vote_id))
    assert "当前计票" in r.stdout and "反对面积 100.00㎡、1 人" in r.stdout
    r = linli("verify", str(vote_id), "--receipt", "0" * 64)
    assert r.returncode == 1
    r = linli("audit", str(vote_id))
    assert r.returncode == 0 and "\tO4\tno\tpaper\t" in r.stdout and "paper_ref=SCAN-12" in r.stdout
