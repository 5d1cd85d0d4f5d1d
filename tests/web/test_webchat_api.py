"""The web chat's JSON API (docs/webchat-api.md): identity, validation, uploads, transcript."""
from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.config import Settings
from bot.runtime import Runtime, start_runtime
from bot.web.app import create_app
from tests.web.browser import tiny_png


@pytest.fixture
async def rt(settings: Settings) -> AsyncIterator[Runtime]:
    r = await start_runtime(settings, migrate=False, seed=False)
    yield r
    await r.close()


def client(rt: Runtime) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(rt)), base_url="http://t")


async def test_conversation_and_history(rt: Runtime) -> None:
    async with client(rt) as c:
        r = await c.post("/api/chat/messages", json={"text": "/help"})
        assert r.status_code == 200
        msgs = r.json()["messages"]
        assert [m["direction"] for m in msgs] == ["in", "out"]
        assert msgs[0]["body"]["text"] == "/help" and "/bind" in msgs[1]["body"]["text"]
        assert msgs[1]["body"]["buttons"][0][0] == {"label": "绑定房屋", "payload": "bind"}
        cookie = r.cookies.get("linli_chat")
        assert cookie and "httponly" in r.headers["set-cookie"].lower()
        r = await c.post("/api/chat/messages", json={"payload": "bind", "label": "绑定房屋"})
        assert r.json()["messages"][0]["body"]["text"] == "绑定房屋"
        history = (await c.get("/api/chat/messages")).json()["messages"]
        assert len(history) == 4
        later = (await c.get(f"/api/chat/messages?after={history[1]['id']}")).json()["messages"]
        assert [m["id"] for m in later] == [m["id"] for m in history[2:]]


async def test_forged_cookie_is_a_new_visitor(rt: Runtime) -> None:
    async with client(rt) as c:
        await c.post("/api/chat/messages", json={"text": "/help"})
        signed = c.cookies["linli_chat"]
        value, mac = signed.rsplit(".", 1)
        c.cookies.set("linli_chat", value + "x." + mac)
        assert (await c.get("/api/chat/messages")).json()["messages"] == []


@pytest.mark.parametrize("body, status", [
    ({}, 422), ({"text": "   "}, 422), ({"text": "长" * 2001}, 422), ({"payload": "x" * 65}, 422),
    ({"photo": "no-such-token"}, 422), ({"location": {"latitude": 123, "longitude": 0}}, 422),
])
async def test_bad_messages_get_a_clear_refusal(rt: Runtime, body: dict[str, object], status: int) -> None:
    async with client(rt) as c:
        r = await c.post("/api/chat/messages", json=body)
        assert r.status_code == status
        assert (await c.get("/api/chat/messages")).json()["messages"] == []


async def test_photo_upload_is_private_to_its_chat(rt: Runtime) -> None:
    async with client(rt) as alice, client(rt) as bob:
        r = await alice.post("/api/chat/uploads", files={"file": ("a.png", tiny_png(), "image/png")})
        assert r.status_code == 200
        token, url = r.json()["token"], r.json()["url"]
        assert (await alice.get(url)).content == tiny_png()
        assert (await bob.get(url)).status_code == 404
        # Bob cannot send Alice's photo as his own either.
        assert (await bob.post("/api/chat/messages", json={"photo": token})).status_code == 422
        r = await alice.post("/api/chat/messages", json={"photo": token})
        assert r.json()["messages"][0]["body"]["photo"] == url
        assert "照片已收到" in r.json()["messages"][1]["body"]["text"]


async def test_uploads_refuse_non_images_and_large_files(rt: Runtime) -> None:
    rt.settings.max_upload_mb = 1
    async with client(rt) as c:
        r = await c.post("/api/chat/uploads", files={"file": ("x.txt", b"hello", "text/plain")})
        assert r.status_code == 415 and "图片" in r.json()["error"]
        r = await c.post("/api/chat/uploads", files={"file": ("big.png", b"0" * (1024 * 1024 + 1), "image/png")})
        assert r.status_code == 413


async def test_location_message(rt: Runtime) -> None:
    async with client(rt) as c:
        r = await c.post("/api/chat/messages",
                         json={"location": {"latitude": 40.81, "longitude": 111.65, "label": "东门"}})
        msgs = r.json()["messages"]
        assert msgs[0]["body"]["location"]["label"] == "东门"
        assert "位置已收到" in msgs[1]["body"]["text"]


async def test_wechat_webhook_mounted_only_when_configured(settings: Settings) -> None:
    for token, expected in (("", 404), ("tok", 403)):
        r = await start_runtime(settings.model_copy(update={"wechat_token": token}), migrate=False, seed=False)
        try:
            async with client(r) as c:
                resp = await c.get("/wechat", params={"signature": "bad", "timestamp": "1", "nonce": "2",
                                                      "echostr": "x"})
                assert resp.status_code == expected
        finally:
            await r.close()
