"""What every `linli` subcommand that touches the database does the same way."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import get_settings

T = TypeVar("T")


def in_session(fn: Callable[[AsyncSession], Awaitable[T]],
               refusals: tuple[type[Exception], ...] = ()) -> T:
    """Migrate if needed, run `fn` in one unit of work (committed when it returns), and turn the
    listed refusals (domain errors with a message for the user) into a clean CLI error."""
    from storage.db import Database
    from storage.migrate import upgrade

    async def go() -> T:
        settings = get_settings()
        await asyncio.to_thread(upgrade, settings.database_url)
        db = Database(settings.database_url)
        try:
            async with db.session() as s:
                return await fn(s)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except refusals as e:
        raise click.ClickException(str(e)) from None
