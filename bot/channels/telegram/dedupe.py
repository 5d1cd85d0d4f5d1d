"""Each Telegram update is handled once, however often it is delivered.

Telegram re-sends an update until it is acknowledged (webhook) or confirmed (polling), so the
same update can arrive after a crash, a slow answer, or at two workers at once. The processed
id is written by the Dispatcher's `record` hook, in the transaction that holds the update's
effects: either both commit or neither does. The ids are a set, not a high-water mark, because
re-sent updates arrive out of order.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.dispatcher import Done, Recorder
from handlers.messages import Incoming, Outgoing
from storage.db import Database
from storage.models.telegram import TelegramUpdate


async def seen(db: Database, bot_id: int, update_id: int) -> bool:
    """Whether this update's effects are already committed (checked before handling)."""
    async with db.session() as s:
        return await s.get(TelegramUpdate, (bot_id, update_id)) is not None


def checker(bot_id: int, update_id: int) -> Done:
    """The Dispatcher's `done` hook: the same question inside the update's own transaction,
    which saves a unit of work per update."""

    async def done(session: AsyncSession) -> bool:
        return await session.get(TelegramUpdate, (bot_id, update_id)) is not None

    return done


def recorder(bot_id: int, update_id: int) -> Recorder:
    """The `record` hook marking the update processed inside the message's own transaction.

    A concurrent delivery of the same update fails here on the primary key, so its effects
    roll back; the caller then finds the update seen and treats it as a duplicate.
    """

    async def record(session: AsyncSession, incoming: Incoming, replies: list[Outgoing]) -> None:
        session.add(TelegramUpdate(bot_id=bot_id, update_id=update_id))
        await session.flush()

    return record


async def prune(db: Database, before: datetime) -> int:
    """Forget ids older than Telegram keeps undelivered updates (24 hours), with a margin."""
    async with db.session() as s:
        result = await s.execute(delete(TelegramUpdate).where(TelegramUpdate.processed_at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
