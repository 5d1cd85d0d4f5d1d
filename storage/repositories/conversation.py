from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AppSetting, ChatMessage, DialogueState, utcnow


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def lock_state(self, channel: str, sender_id: str) -> DialogueState:
        """The sender's dialogue state, locked until the transaction ends.

        The UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, so a second
        message from the same sender (in this or another worker) waits for the first to finish
        instead of passing the same step twice.
        """
        for _ in range(2):
            # One round trip: the UPDATE returns the locked row (SQLite >= 3.35, PostgreSQL).
            state = await self.s.scalar(
                update(DialogueState)
                .where(DialogueState.channel == channel, DialogueState.sender_id == sender_id)
                .values(version=DialogueState.version + 1, updated_at=utcnow())
                .returning(DialogueState)
                .execution_options(synchronize_session=False, populate_existing=True))
            if state is not None:
                return state
            try:
                async with self.s.begin_nested():
                    self.s.add(DialogueState(channel=channel, sender_id=sender_id, data={}, version=0))
            except IntegrityError:
                pass  # another worker created it first; lock theirs on the next pass
        raise RuntimeError("could not lock dialogue state")

    async def add_transcript(self, channel: str, chat_id: str, direction: str,
                             body: dict[str, Any]) -> ChatMessage:
        m = ChatMessage(channel=channel, chat_id=chat_id, direction=direction, body=body)
        self.s.add(m)
        await self.s.flush()
        return m

    async def transcript(self, chat_id: str, after_id: int = 0, limit: int = 200,
                         channel: str = "web") -> list[ChatMessage]:
        rows = await self.s.scalars(
            select(ChatMessage)
            .where(ChatMessage.channel == channel, ChatMessage.chat_id == chat_id,
                   ChatMessage.id > after_id)
            .order_by(ChatMessage.id).limit(limit))
        return list(rows)


class AppSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def get(self, key: str) -> str | None:
        row = await self.s.get(AppSetting, key)
        return row.value if row else None

    async def set_if_absent(self, key: str, value: str) -> str:
        current = await self.get(key)
        if current is not None:
            return current
        try:
            async with self.s.begin_nested():
                self.s.add(AppSetting(key=key, value=value))
        except IntegrityError:
            current = await self.get(key)
            assert current is not None
            return current
        return value
