"""Linli on Telegram against the fake Bot API: a runtime per framework and database backend."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from bot.channels.telegram.service import TelegramService, start_telegram
from bot.config import Settings
from bot.runtime import Runtime, start_runtime
from core.verification import VerificationPolicy, issue_codes
from handlers.dispatcher import Context, Router
from handlers.messages import Attachment, Outgoing, buttons
from storage.models import Building, Owner, Premises
from tests.channels.fake_bot_api import Call, FakeBotApi
from tests.helpers import make_estate

TOKEN = "7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
WEBHOOK_URL = "https://linli.example.org/telegram/webhook"
WEBHOOK_SECRET = "wh_Secret-2026"
# A 1x1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a3e5e1a50000000049454e44ae426082")
LONG_TEXT = "\n\n".join(f"第{i}条：" + "小区公共收益公示，请各位业主查阅。" * 12 for i in range(1, 41))


@dataclass
class Extras:
    """Test-only commands, to produce what the dialogue cannot yet (long texts, files, failures)."""

    fail_times: dict[str, int] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)

    def router(self) -> Router:
        r = Router("test-extras")

        @r.command("report")
        async def report(ctx: Context) -> None:
            ctx.replies.append(Outgoing(LONG_TEXT, buttons([("我知道了", "help")])))
            ctx.replies.append(Outgoing("本月收支图", image=Attachment("chart.png", "image/png", PNG)))
            ctx.replies.append(Outgoing(document=Attachment("收费公示.csv", "text/csv",
                                                            "项目,金额\n停车费,1200.00\n".encode())))

        @r.command("flaky", "broken")
        async def flaky(ctx: Context) -> None:
            name = (ctx.incoming.text or "").strip("/").split()[0]
            self.attempts[name] = self.attempts.get(name, 0) + 1
            ctx.goto("flaky", "done", attempt=self.attempts[name])  # an effect that must roll back
            if self.attempts[name] <= self.fail_times.get(name, 0):
                raise RuntimeError(f"{name} failed on attempt {self.attempts[name]}")
            ctx.reply("稳了")

        @r.command("slow")
        async def slow(ctx: Context) -> None:
            self.attempts["slow"] = self.attempts.get("slow", 0) + 1
            ctx.goto("slow", "done", by=id(self))
            await asyncio.sleep(0.3)  # inside the transaction: a second worker can catch up
            ctx.reply("慢慢来")

        @r.command("echo")
        async def echo(ctx: Context) -> None:
            ctx.reply(f"echo {ctx.command_args}", [[("再来一次", "again")]])

        @r.button("again")
        async def again(ctx: Context) -> None:
            ctx.reply("again")

        return r


@dataclass
class Telegram:
    fake: FakeBotApi
    rt: Runtime
    service: TelegramService
    extras: Extras

    async def exchange(self, update: dict[str, Any], chat_id: int, count: int = 1) -> list[Call]:
        """Deliver an update by polling and wait for `count` replies in that chat."""
        before = len(self.fake.sent(chat_id))
        await self.fake.push(update)
        return await self.fake.replies(chat_id, before, count)


def telegram_settings(settings: Settings, fake: FakeBotApi, framework: str, **kw: Any) -> Settings:
    return settings.model_copy(update={"telegram_token": TOKEN, "telegram_api_base": fake.base_url,
                                       "telegram_framework": framework, **kw})


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB's next major version gives retry_after as a timedelta; run on that already (and
    # without its deprecation warning about the int it still gives by default).
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture(params=["aiogram", "ptb"])
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    f = FakeBotApi(TOKEN)
    await f.start()
    yield f
    await f.close()


Starter = Callable[..., Awaitable[Telegram]]


@pytest.fixture
async def start(settings: Settings, fake_api: FakeBotApi, framework: str) -> AsyncIterator[Starter]:
    """start(**settings) -> a running runtime with the Telegram channel, stopped afterwards."""
    running: list[Telegram] = []

    async def go(**overrides: Any) -> Telegram:
        rt = await start_runtime(telegram_settings(settings, fake_api, framework, **overrides),
                                 migrate=False, seed=False)
        extras = Extras()
        rt.dispatcher.routers.insert(0, extras.router())
        try:
            service = await start_telegram(rt, polling_timeout=1, retry_delays=(0.01, 0.01))
        except BaseException:
            await rt.close()
            raise
        tg = Telegram(fake_api, rt, service, extras)
        running.append(tg)
        return tg

    yield go
    for tg in running:
        await tg.service.stop()
        await tg.rt.close()


@pytest.fixture
async def polling(start: Starter) -> Telegram:
    return await start()


@pytest.fixture
async def webhook(start: Starter) -> Telegram:
    return await start(telegram_webhook_url=WEBHOOK_URL, telegram_webhook_secret=WEBHOOK_SECRET)


async def binding_code(rt: Runtime) -> str:
    """A one-time code for 幸福里 3号楼501, issued as property staff would."""
    async with rt.db.session() as s:
        estate = await make_estate(s, "XFL", name="幸福里")
        b = Building(estate_id=estate.id, number="3")
        o = Owner(estate_id=estate.id, code="O1", name="王建国", kind="person")
        s.add_all([b, o])
        await s.flush()
        p = Premises(estate_id=estate.id, building_id=b.id, unit_key="", room="501", use="residential",
                     area_registered=Decimal("89.37"), owner_id=o.id)
        s.add(p)
        await s.flush()
        [(_, code)] = await issue_codes(s, rt.services.secret, [p], datetime.now(timezone.utc),
                                        VerificationPolicy())
    return code


async def settle(seconds: float = 0.3) -> None:
    """Give a wrongly re-handled update time to show itself before asserting it did not."""
    await asyncio.sleep(seconds)
