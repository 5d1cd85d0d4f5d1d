"""aiogram's answer parsing stays cheap: the generic response classes are built once per type."""
from __future__ import annotations

import gc
import weakref

from aiogram.methods import SendMessage
from aiogram.methods.base import Response

from bot.channels.telegram.aiogram_adapter import AiogramAdapter
from bot.channels.telegram.convert import Send
from bot.config import Settings
from tests.channels.conftest import TOKEN
from tests.channels.fake_bot_api import FakeBotApi


async def test_response_classes_survive_garbage_collection(settings: Settings, fake_api: FakeBotApi) -> None:
    adapter = AiogramAdapter(settings.model_copy(update={"telegram_token": TOKEN,
                                                         "telegram_api_base": fake_api.base_url}))
    try:
        await adapter.api.send(Send("message", "7001", "你好"))
        used = weakref.ref(Response[SendMessage.__returning__])  # type: ignore[name-defined]
        gc.collect()  # pydantic caches generic classes weakly: unreferenced, it is rebuilt next time
        assert used() is not None
        await adapter.api.send(Send("message", "7001", "再见"))
        assert Response[SendMessage.__returning__] is used()  # type: ignore[name-defined]
        assert [c.text for c in fake_api.sent(7001)] == ["你好", "再见"]
    finally:
        await adapter.close()
