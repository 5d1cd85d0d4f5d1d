"""The conversation core's guarantees: per-sender ordering, rollback on failure, routing."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from handlers.dispatcher import Context, Dispatcher, Router, Services, parse_command
from handlers.messages import Button, Incoming
from storage.db import Database
from storage.models import DialogueState, Person


def test_parse_command() -> None:
    assert parse_command("/bind@LinliBot ABCD-EFGH") == ("bind", "ABCD-EFGH")
    assert parse_command("/HELP") == ("help", "")
    assert parse_command("hello /help") is None
    assert parse_command("/") is None


def test_button_payload_limit() -> None:
    Button("ok", "x" * 64)
    with pytest.raises(ValueError):
        Button("too long", "好" * 22)  # 66 bytes in UTF-8


def _counting_router(passes: list[str]) -> Router:
    r = Router("test")

    @r.command("go")
    async def go(ctx: Context) -> None:
        ctx.goto("f", "one")
        ctx.reply("started")

    @r.step("f", "one")
    async def one(ctx: Context) -> None:
        await asyncio.sleep(0.05)  # widen the window in which a second message could slip in
        passes.append("one")
        ctx.goto("f", "two")
        ctx.reply("one done")

    @r.step("f", "two")
    async def two(ctx: Context) -> None:
        passes.append("two")
        ctx.end_flow()
        ctx.reply("two done")

    @r.command("boom")
    async def boom(ctx: Context) -> None:
        ctx.goto("f", "one")
        raise RuntimeError("handler failed")

    return r


async def test_two_quick_messages_never_pass_the_same_step(db: Database) -> None:
    passes: list[str] = []
    d = Dispatcher(db, Services(secret="x"), [_counting_router(passes)])
    await d.handle(Incoming("web", "c", "u", text="/go"))
    # Two dispatchers stand for two workers sharing one database.
    d2 = Dispatcher(db, Services(secret="x"), [_counting_router(passes)])
    r1, r2 = await asyncio.gather(d.handle(Incoming("web", "c", "u", text="a")),
                                  d2.handle(Incoming("web", "c", "u", text="b")))
    assert sorted(passes) == ["one", "two"]
    assert sorted([r1[0].text, r2[0].text]) == ["one done", "two done"]


async def test_failed_handler_changes_nothing(db: Database) -> None:
    d = Dispatcher(db, Services(secret="x"), [_counting_router([])])
    with pytest.raises(RuntimeError):
        await d.handle(Incoming("web", "c", "new-user", text="/boom"))
    async with db.session() as s:
        assert (await s.scalar(select(DialogueState).where(DialogueState.sender_id == "new-user"))) is None
        assert list(await s.scalars(select(Person))) == []


async def test_unknown_button_and_plain_text_get_a_fallback(db: Database) -> None:
    from handlers import default_routers

    d = Dispatcher(db, Services(secret="x"), default_routers())
    [r] = await d.handle(Incoming("web", "c", "u", payload="nosuch:1"))
    assert "/help" in r.text
