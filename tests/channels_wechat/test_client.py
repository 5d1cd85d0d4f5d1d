"""The customer-service client against a fake WeChat API server on 127.0.0.1."""
from __future__ import annotations

import httpx
import pytest

from bot.channels.wechat.client import WechatApiError, WechatClient
from bot.channels.wechat.convert import Delivery, ImagePart, TextPart
from handlers.messages import Attachment
from tests.channels_wechat.conftest import AppFactory, FakeWechat
from tests.channels_wechat.vectors import MP_AES_KEY, MP_APPID, MP_TOKEN


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_token_is_cached_until_it_expires(fake_wechat: FakeWechat) -> None:
    clock = Clock()
    c = WechatClient("wxapp", "app-secret", fake_wechat.base + "/", clock=clock)
    try:
        await c.send_text("o1", "一")
        await c.send_text("o1", "二")
        assert len(fake_wechat.token_requests) == 1
        clock.now += 7200
        await c.send_text("o1", "三")
        assert len(fake_wechat.token_requests) == 2
        assert [m["text"]["content"] for m in fake_wechat.sent] == ["一", "二", "三"]
    finally:
        await c.aclose()


async def test_revoked_token_is_replaced_once(fake_wechat: FakeWechat) -> None:
    c = WechatClient("wxapp", "app-secret", fake_wechat.base)
    try:
        await c.send_text("o1", "先")
        fake_wechat.valid_tokens.clear()  # e.g. the secret was reset, or another tool refreshed it
        await c.send_text("o1", "后")
        assert len(fake_wechat.token_requests) == 2 and len(fake_wechat.sent) == 2
    finally:
        await c.aclose()


async def test_refusals_are_errors_not_retried(fake_wechat: FakeWechat) -> None:
    c = WechatClient("wxapp", "app-secret", fake_wechat.base)
    try:
        fake_wechat.fail_next_send = {"errcode": 45015, "errmsg": "response out of time limit"}
        await c.access_token()
        with pytest.raises(WechatApiError) as e:
            await c.send_text("o1", "超过48小时")
        assert e.value.errcode == 45015 and fake_wechat.sent == []
        bad = WechatClient("wxapp", "wrong-secret", fake_wechat.base)
        with pytest.raises(WechatApiError):
            await bad.send_text("o1", "x")
        await bad.aclose()
    finally:
        await c.aclose()


async def test_unreachable_server_is_retried_then_raised() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    c = WechatClient("wxapp", "s", "http://wechat.invalid",
                     http=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    with pytest.raises(httpx.ConnectError):
        await c.access_token()
    assert len(calls) == 3
    await c.aclose()


async def test_images_are_uploaded_then_sent(wechat_app: AppFactory, fake_wechat: FakeWechat) -> None:
    _, _, channel = await wechat_app(MP_TOKEN, MP_AES_KEY, MP_APPID)
    png = Attachment("chart.png", "image/png", b"\x89PNG\r\n")
    await channel.deliver([Delivery("o1", [TextPart("收费公示"), ImagePart(png)]),
                           Delivery("o2", [TextPart("另一位")])])
    assert fake_wechat.uploads == [{"type": "image", "filename": "chart.png", "data": b"\x89PNG\r\n"}]
    assert [(m["touser"], m["msgtype"]) for m in fake_wechat.sent] == [
        ("o1", "text"), ("o1", "image"), ("o2", "text")]
    assert fake_wechat.sent[1]["image"] == {"media_id": "MEDIA-1"}
    # A refusal for one user does not stop the others.
    fake_wechat.fail_next_send = {"errcode": 43004, "errmsg": "require subscribe"}
    await channel.deliver([Delivery("gone", [TextPart("a"), TextPart("b")]),
                           Delivery("o3", [TextPart("c")])])
    assert [m["touser"] for m in fake_wechat.sent[3:]] == ["o3"]
