"""The broadcaster against a fake Bot API that enforces Telegram's flood control, through the
real aiogram client (the sender `linli broadcast run` uses)."""
from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.fake_telegram import EnforcingBotApi
from bot.broadcast import ChannelLimits
from bot.channels.telegram.sender import TelegramSender
from bot.config import Settings
from core.notify import message, notify
from storage.db import Database
from storage.models.notifications import Delivery
from storage.repositories.people import PeopleRepository

TOKEN = "7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
NOTICE = "【停水通知】3号楼明日9:00-12:00停水检修，请提前储水。"
ROOT = Path(__file__).resolve().parent.parent.parent


def limits(**kw: float) -> dict[str, ChannelLimits]:
    return {"telegram": ChannelLimits(**kw)}  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[EnforcingBotApi]:
    f = EnforcingBotApi(TOKEN, rate=10, per_chat=1.0)
    await f.start()
    yield f
    await f.close()


@pytest.fixture
async def sender(settings: Settings, fake: EnforcingBotApi) -> AsyncIterator[TelegramSender]:
    from bot.channels.telegram.aiogram_adapter import AiogramAdapter

    adapter = AiogramAdapter(settings.model_copy(update={"telegram_token": TOKEN,
                                                         "telegram_api_base": fake.base_url}))
    yield TelegramSender(adapter.api)
    await adapter.close()


async def residents(db: Database, chats: list[int]) -> list[int]:
    """One person per chat, each with a Telegram account."""
    ids = []
    async with db.session() as s:
        repo = PeopleRepository(s)
        for chat in chats:
            p = await repo.add_person(f"居民{chat}")
            await repo.add_identity(p, "telegram", str(chat), str(chat))
            ids.append(p.id)
    return ids


async def queue(db: Database, people: list[int], key: str, text: str = NOTICE) -> None:
    async with db.session() as s:
        await notify(s, people, message(text), "notice", key)


async def statuses(db: Database) -> dict[str, list[str]]:
    """Delivery statuses by chat, in queue order."""
    out: dict[str, list[str]] = {}
    async with db.session() as s:
        for d in await s.scalars(select(Delivery).order_by(Delivery.id)):
            out.setdefault(d.chat_id, []).append(d.status)
    return out


def worker_env(db_url: str, fake: EnforcingBotApi) -> dict[str, str]:
    return {**os.environ, "LINLI_DATABASE_URL": db_url, "LINLI_TELEGRAM_TOKEN": TOKEN,
            "LINLI_TELEGRAM_API_BASE": fake.base_url, "LINLI_DEMO": "false", "PYTHONPATH": str(ROOT)}


WORKER = [sys.executable, "-m", "bot.commands.broadcast"]
