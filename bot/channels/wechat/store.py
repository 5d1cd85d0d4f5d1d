"""The channel's own rows: pushes already handled and the choices last shown to each user."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.wechat.convert import Delivery, Option
from storage.db import Database
from storage.models.wechat import WechatInbound, WechatMenu

# Far longer than WeChat's retries (three within ~15 s) and than the accepted timestamp age.
KEEP_KEYS = timedelta(days=2)


class Duplicate(Exception):
    """This push was handled already (by this or another worker)."""


async def lookup(db: Database, key: str, openid: str) -> tuple[WechatInbound | None, list[Option]]:
    """The earlier handling of this push, if any, and the user's last shown choices."""
    async with db.session() as s:
        seen = await s.get(WechatInbound, key)
        menu = await s.get(WechatMenu, openid)
        options = [(str(label), str(payload)) for label, payload in (menu.options if menu else [])]
        return seen, options


async def remember_turn(session: AsyncSession, key: str, openid: str, passive: str | None,
                        deliveries: Iterable[Delivery], now: datetime) -> None:
    """Inside the message's transaction: mark the push handled and keep the shown choices."""
    if await session.get(WechatInbound, key) is not None:
        raise Duplicate(key)
    session.add(WechatInbound(key=key, openid=openid, reply=passive, received_at=now))
    try:
        await session.flush()
    except IntegrityError as e:  # a concurrent delivery of the same push committed first
        raise Duplicate(key) from e
    shown = {d.openid: d.options for d in deliveries}
    shown.setdefault(openid, [])
    for user, choices in shown.items():
        # Every recipient's numbering restarts with this turn: old numbers must not match.
        menu = await session.get(WechatMenu, user)
        options = [[label, payload] for label, payload in choices]
        if menu is None:
            session.add(WechatMenu(openid=user, options=options, updated_at=now))
        else:
            menu.options = options
            menu.updated_at = now
    await session.execute(delete(WechatInbound).where(WechatInbound.received_at < now - KEEP_KEYS))


async def forget_reply(db: Database, key: str) -> None:
    """The answer went out as customer-service messages: a re-sent push must not repeat it."""
    async with db.session() as s:
        await s.execute(update(WechatInbound).where(WechatInbound.key == key).values(reply=None))


async def stored_reply(db: Database, key: str) -> str | None:
    async with db.session() as s:
        row = await s.get(WechatInbound, key)
        return row.reply if row else None
