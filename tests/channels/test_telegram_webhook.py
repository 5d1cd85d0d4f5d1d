"""The Telegram webhook on the web app, through each framework: the secret header, 200 only
after the update is committed, 5xx on failure, and each update handled once."""
from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.channels.telegram.service import webhook_secret
from bot.channels.telegram.webhook import SECRET_HEADER, make_router
from bot.web.app import create_app
from storage.models import DialogueState
from storage.models.telegram import TelegramUpdate
from tests.channels import updates as tg
from tests.channels.conftest import WEBHOOK_SECRET, WEBHOOK_URL, Starter, Telegram, settle

PATH = "/telegram/webhook"


def client(t: Telegram) -> httpx.AsyncClient:
    app = create_app(t.rt)
    app.include_router(make_router(t.rt))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://linli.example.org")


async def deliver(c: httpx.AsyncClient, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return (await c.post(PATH, json=update, headers=headers)).status_code


async def processed(t: Telegram) -> set[int]:
    async with t.rt.db.session() as s:
        return set(await s.scalars(select(TelegramUpdate.update_id)))


async def test_webhook_is_registered_and_the_secret_checked(webhook: Telegram) -> None:
    fake = webhook.fake
    assert fake.webhook is not None
    assert fake.webhook["url"] == WEBHOOK_URL and fake.webhook["secret_token"] == WEBHOOK_SECRET
    assert fake.webhook["allowed_updates"] == ["message", "callback_query"]
    wang = tg.user()
    async with client(webhook) as c:
        assert await deliver(c, tg.message(1, wang, "/start"), secret=None) == 403
        assert await deliver(c, tg.message(1, wang, "/start"), secret="wh_Secret-2025") == 403
        assert fake.sent() == [] and await processed(webhook) == set()
        assert await deliver(c, tg.message(1, wang, "/start")) == 200
        # Acknowledged only once handled: the reply is out before the 200 came back.
        [welcome] = fake.sent(wang["id"])
        assert "邻里" in welcome.text and await processed(webhook) == {1}
        # A button press through the webhook too.
        assert await deliver(c, tg.callback(2, wang, welcome.result, "me", query_id="q-me")) == 200
        assert fake.calls_to("answerCallbackQuery")[0].params["callback_query_id"] == "q-me"
        assert "您还没有绑定房屋" in fake.sent(wang["id"])[-1].text
    assert not fake.calls_to("getUpdates")  # no polling while the webhook is set


async def test_the_same_update_twice_is_handled_once(webhook: Telegram) -> None:
    fake = webhook.fake
    li = tg.user(7003002, "丽", "李")
    update = tg.message(41, li, "/help")
    async with client(webhook) as c:
        assert await deliver(c, update) == 200
        assert await deliver(c, update) == 200  # acknowledged, nothing done
        assert len(fake.sent(li["id"])) == 1
        # Delivered twice at once (Telegram retrying while the first is still being handled).
        again = tg.message(42, li, "/echo 同时")
        assert await asyncio.gather(deliver(c, again), deliver(c, again)) == [200, 200]
        await settle()
    assert [x.text for x in fake.sent(li["id"])][1:] == ["echo 同时"]
    assert await processed(webhook) == {41, 42}


async def test_two_workers_given_the_same_update_handle_it_once(
        start: Starter, caplog: pytest.LogCaptureFixture) -> None:
    """Telegram re-sends while the first worker is still busy, and a second worker gets it."""
    one = await start(telegram_webhook_url=WEBHOOK_URL, telegram_webhook_secret=WEBHOOK_SECRET)
    two = await start(telegram_webhook_url=WEBHOOK_URL, telegram_webhook_secret=WEBHOOK_SECRET)
    sun = tg.user(7003004, "阳", "孙")
    update = tg.message(71, sun, "/slow")
    caplog.set_level("INFO", logger="bot.channels.telegram.handling")
    async with client(one) as c1, client(two) as c2:
        assert await deliver(c1, tg.message(70, sun, "/help")) == 200  # known to both workers now
        assert await asyncio.gather(deliver(c1, update), deliver(c2, update)) == [200, 200]
    assert [x.text for x in one.fake.sent(sun["id"])][1:] == ["慢慢来"]
    assert await processed(one) == {70, 71}
    async with one.rt.db.session() as s:
        state = await s.scalar(select(DialogueState).where(DialogueState.sender_id == str(sun["id"])))
        assert state is not None and state.flow == "slow"
    if not one.rt.db.is_sqlite:
        # PostgreSQL lets both workers start; the second's effects roll back at the processed id.
        assert one.extras.attempts["slow"] + two.extras.attempts["slow"] == 2
        assert "processed concurrently" in caplog.text


async def test_a_failure_answers_5xx_and_the_redelivery_succeeds_once(webhook: Telegram) -> None:
    fake = webhook.fake
    zhao = tg.user(7003003, "敏", "赵")
    webhook.extras.fail_times["flaky"] = 1
    update = tg.message(51, zhao, "/flaky")
    async with client(webhook) as c:
        assert await deliver(c, update) == 500
        assert fake.sent() == [] and await processed(webhook) == set()
        async with webhook.rt.db.session() as s:  # the handler's effect rolled back too
            state = await s.scalar(select(DialogueState).where(DialogueState.sender_id == str(zhao["id"])))
            assert state is None or state.flow != "flaky"
        assert await deliver(c, update) == 200  # Telegram re-sends
        assert await deliver(c, update) == 200  # and once more: nothing new
    assert [x.text for x in fake.sent(zhao["id"])] == ["稳了"]
    assert webhook.extras.attempts["flaky"] == 2 and await processed(webhook) == {51}
    async with webhook.rt.db.session() as s:
        state = await s.scalar(select(DialogueState).where(DialogueState.sender_id == str(zhao["id"])))
        assert state is not None and state.flow == "flaky" and state.data == {"attempt": 2}


async def test_unavailable_until_started_and_after_stop(webhook: Telegram) -> None:
    wu = tg.user(7003006, "吴")
    await webhook.service.stop()
    async with client(webhook) as c:
        assert await deliver(c, tg.message(61, wu, "/help")) == 503  # Telegram keeps it for later
        assert await deliver(c, tg.message(61, wu, "/help"), secret="nope") == 403
        r = await c.post(PATH, content=b"not json", headers={SECRET_HEADER: WEBHOOK_SECRET})
        assert r.status_code == 503
    assert webhook.fake.sent() == []


async def test_malformed_bodies_are_refused(webhook: Telegram) -> None:
    async with client(webhook) as c:
        headers = {SECRET_HEADER: WEBHOOK_SECRET}
        assert (await c.post(PATH, content=b"{", headers=headers)).status_code == 400
        assert (await c.post(PATH, json={"message": {}}, headers=headers)).status_code == 400
        # An update kind Linli does not act on is acknowledged and ignored.
        assert await deliver(c, {"update_id": 70, "edited_message": tg.message(0, tg.user(), "x")["message"]}) == 200
    assert webhook.fake.sent() == []


async def test_without_a_configured_secret_one_is_derived(start: Starter) -> None:
    t = await start(telegram_webhook_url="https://linli.example.org/hooks/tg")
    secret = webhook_secret(t.rt.settings, t.rt.services.secret)
    assert t.fake.webhook is not None and t.fake.webhook["secret_token"] == secret and len(secret) == 64
    wang = tg.user()
    app = create_app(t.rt)
    app.include_router(make_router(t.rt))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://x") as c:
        r = await c.post("/hooks/tg", json=tg.message(81, wang, "/help"), headers={SECRET_HEADER: ""})
        assert r.status_code == 403
        r = await c.post("/hooks/tg", json=tg.message(81, wang, "/help"), headers={SECRET_HEADER: secret})
        assert r.status_code == 200
    assert len(t.fake.sent(wang["id"])) == 1


@pytest.mark.parametrize("bad", ["has space", "x" * 257, "中文"])
async def test_an_invalid_configured_secret_is_refused(start: Starter, bad: str) -> None:
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        await start(telegram_webhook_url=WEBHOOK_URL, telegram_webhook_secret=bad)


async def test_only_handled_updates_are_recorded(webhook: Telegram) -> None:
    async with client(webhook) as c:
        for i in range(3):
            await deliver(c, tg.message(90 + i, tg.user(7004000 + i, "邻居"), "/help"))
        await deliver(c, tg.message(99, tg.user(), "/help"), secret="wrong")
    async with webhook.rt.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(TelegramUpdate)) == 3
