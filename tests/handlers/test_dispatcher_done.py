"""The Dispatcher's `done` hook: a message already handled does nothing and changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import default_routers
from handlers.dispatcher import AlreadyHandled, Dispatcher, Services
from handlers.messages import Incoming
from storage.db import Database
from storage.models import DialogueState, Person


async def test_done_stops_before_anything_is_written(db: Database) -> None:
    d = Dispatcher(db, Services(secret="s"), default_routers())
    inc = Incoming("telegram", "5001", "5001", text="/help")

    async def yes(_s: AsyncSession) -> bool:
        return True

    async def no(_s: AsyncSession) -> bool:
        return False

    with pytest.raises(AlreadyHandled):
        await d.handle(inc, done=yes)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Person)) == 0
        assert await s.scalar(select(func.count()).select_from(DialogueState)) == 0
    assert await d.handle(inc, done=no)  # not handled yet: answered as usual
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(DialogueState)) == 1
