"""A fake WeChat API server on 127.0.0.1, and a phone that pushes to /wechat like WeChat does."""
from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web
from fastapi import FastAPI
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.settings import WechatSettings
from bot.channels.wechat.webhook import WechatChannel, make_router
from bot.channels.wechat.wire import parse_xml
from bot.config import Settings
from bot.runtime import Runtime, start_runtime

ACCOUNT = "gh_linli_test"  # the Official Account's own id (ToUserName of pushes)


class FakeWechat:
    """api.weixin.qq.com as far as Linli uses it."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.raw_bodies: list[bytes] = []
        self.uploads: list[dict[str, Any]] = []
        self.token_requests: list[dict[str, Any]] = []
        self.valid_tokens: set[str] = set()
        self.fail_next_send: dict[str, Any] | None = None
        self.base = ""
        self._changed = asyncio.Condition()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self.stable_token)
        app.router.add_post("/cgi-bin/message/custom/send", self.custom_send)
        app.router.add_post("/cgi-bin/media/upload", self.upload)
        return app

    async def stable_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.token_requests.append(body)
        if body.get("secret") != "app-secret":
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"TOKEN-{len(self.token_requests)}"
        self.valid_tokens.add(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    def _authorised(self, request: web.Request) -> bool:
        return request.query.get("access_token") in self.valid_tokens

    async def custom_send(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if self.fail_next_send is not None:
            err, self.fail_next_send = self.fail_next_send, None
            return web.json_response(err)
        raw = await request.read()
        async with self._changed:
            self.raw_bodies.append(raw)
            self.sent.append(json.loads(raw))
            self._changed.notify_all()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def upload(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        form = await request.post()
        media = form["media"]
        assert isinstance(media, web.FileField)
        self.uploads.append({"type": request.query.get("type"), "filename": media.filename,
                             "data": media.file.read()})
        return web.json_response({"type": "image", "media_id": f"MEDIA-{len(self.uploads)}",
                                  "created_at": int(time.time())})

    async def wait_sent(self, n: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.sent) >= n), timeout)
        return self.sent


@pytest.fixture
async def fake_wechat() -> AsyncIterator[FakeWechat]:
    fake = FakeWechat()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.base = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


class Phone:
    """One WeChat user. Pushes are signed (and in safe mode encrypted) with wechatpy, an
    implementation independent of ours, and safe-mode replies are decrypted with it too."""

    def __init__(self, http: httpx.AsyncClient, openid: str, token: str, aes_key: str = "",
                 appid: str = "", safe: bool = True) -> None:
        self.http = http
        self.openid = openid
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, appid) if safe else None
        self.next_id = 1000
        self.last: httpx.Response | None = None

    def fields(self, **kw: str) -> dict[str, str]:
        self.next_id += 1
        return {"ToUserName": ACCOUNT, "FromUserName": self.openid,
                "CreateTime": str(int(time.time())), **kw}

    def text_fields(self, content: str, **extra: str) -> dict[str, str]:
        f = self.fields(MsgType="text", Content=content, **extra)
        f["MsgId"] = str(self.next_id)
        return f

    async def push(self, fields: dict[str, str], *, timestamp: str | None = None,
                   nonce: str | None = None, tamper: str | None = None) -> httpx.Response:
        ts = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**9))
        plain = "<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</xml>"
        sig = hashlib.sha1("".join(sorted([self.token, ts, nonce])).encode()).hexdigest()
        params = {"signature": sig, "timestamp": ts, "nonce": nonce, "openid": self.openid}
        if self.crypto is None:
            body = plain
        else:
            env = parse_xml(self.crypto.encrypt_message(plain, nonce, ts))
            body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{env['Encrypt']}]]></Encrypt></xml>")
            params.update(encrypt_type="aes", msg_signature=env["MsgSignature"])
        if tamper:
            params[tamper] = "0" * 40
        self.last = await self.http.post("/wechat", params=params, content=body,
                                         headers={"Content-Type": "text/xml"})
        return self.last

    def reply(self, r: httpx.Response) -> dict[str, str] | None:
        """The passive reply's fields, or None for "success"."""
        assert r.status_code == 200, (r.status_code, r.text)
        if r.text == "success":
            return None
        if self.crypto is None:
            return parse_xml(r.text)
        env = parse_xml(r.text)
        return parse_xml(self.crypto.decrypt_message(r.text, env["MsgSignature"], env["TimeStamp"],
                                                     env["Nonce"]))

    async def say(self, content: str, **extra: str) -> str:
        reply = self.reply(await self.push(self.text_fields(content, **extra)))
        assert reply is not None and reply["MsgType"] == "text"
        assert reply["ToUserName"] == self.openid and reply["FromUserName"] == ACCOUNT
        return reply["Content"]


AppFactory = Callable[..., Awaitable[tuple[httpx.AsyncClient, Runtime, WechatChannel]]]


@pytest.fixture
async def wechat_app(settings: Settings, fake_wechat: FakeWechat) -> AsyncIterator[AppFactory]:
    """Compose the web app with the WeChat router, as the lead will in bot/web/app.py."""
    made: list[tuple[httpx.AsyncClient, Runtime, WechatChannel]] = []

    async def make(token: str, aes_key: str = "", appid: str = "",
                   clock: Callable[[], float] = time.time, **options: Any
                   ) -> tuple[httpx.AsyncClient, Runtime, WechatChannel]:
        s = settings.model_copy(update={"wechat_token": token, "wechat_aes_key": aes_key,
                                        "wechat_appid": appid})
        rt = await start_runtime(s, migrate=False, seed=False)
        opts = WechatSettings(api_base=fake_wechat.base,  # type: ignore[call-arg]
                              app_secret="app-secret", **options)
        # The wechat routes alone, with the options and clock under test.
        app = FastAPI()
        app.include_router(make_router(rt, settings=opts, clock=clock))
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        channel = rt.extras["wechat"]
        assert isinstance(channel, WechatChannel)
        made.append((http, rt, channel))
        return http, rt, channel

    yield make
    for http, rt, channel in made:
        await http.aclose()
        await channel.aclose()
        await rt.close()
