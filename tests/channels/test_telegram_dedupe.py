"""The processed-update table: per bot, committed with the update's effects, pruned when old."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from bot.channels.telegram import dedupe
from handlers.messages import Incoming
from storage.db import Database
from storage.models import AppSetting
from storage.models.telegram import TelegramUpdate

INC = Incoming("telegram", "1", "1", text="/help")


async def test_recorded_with_the_transaction_or_not_at_all(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.session() as s:
            s.add(AppSetting(key="effect", value="x"))
            await dedupe.recorder(1, 500)(s, INC, [])
            raise RuntimeError("the handler failed after recording")
    assert not await dedupe.seen(db, 1, 500)
    async with db.session() as s:
        await dedupe.recorder(1, 500)(s, INC, [])
    assert await dedupe.seen(db, 1, 500)
    assert not await dedupe.seen(db, 2, 500)  # another bot's update 500 is another update


async def test_a_second_record_of_the_same_update_fails(db: Database) -> None:
    async with db.session() as s:
        await dedupe.recorder(1, 7)(s, INC, [])
    with pytest.raises(IntegrityError):
        async with db.session() as s:
            s.add(AppSetting(key="effect", value="x"))
            await dedupe.recorder(1, 7)(s, INC, [])
    async with db.session() as s:
        assert await s.get(AppSetting, "effect") is None  # its effects rolled back with it


async def test_prune_forgets_only_old_ids(db: Database) -> None:
    now = datetime.now(timezone.utc)
    async with db.session() as s:
        s.add_all([TelegramUpdate(bot_id=1, update_id=1, processed_at=now - timedelta(days=8)),
                   TelegramUpdate(bot_id=1, update_id=2, processed_at=now - timedelta(hours=1))])
    assert await dedupe.prune(db, now - timedelta(days=7)) == 1
    assert not await dedupe.seen(db, 1, 1) and await dedupe.seen(db, 1, 2)


async def test_the_checker_sees_committed_ids_inside_a_unit_of_work(db: Database) -> None:
    done = dedupe.checker(1, 900)
    async with db.session() as s:
        assert not await done(s)
        await dedupe.recorder(1, 900)(s, INC, [])
    async with db.session() as s:
        assert await done(s) and not await dedupe.checker(2, 900)(s)
