"""The channel's own rows: pushes already handled and the choices last shown to each user."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.wechat.convert import CHANNEL, Delivery, Option
from storage.db import Database
from storage.models.notifications import Delivery as NotificationDelivery
from storage.models.notifications import Notification
from storage.models.wechat import WechatContact, WechatInbound, WechatMenu

# Far longer than WeChat's retries (three within ~15 s) and than the accepted timestamp age.
KEEP_KEYS = timedelta(days=2)
# WeChat accepts customer-service messages to a user this long after the user last wrote.
WINDOW = timedelta(hours=48)
# Held notifications younger than this are sent when the user writes again; older ones stay
# held (the notices remain readable under 最近公告), so a return after months brings no pile.
RESEND_HELD_WITHIN = timedelta(days=30)


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


async def touch(db: Database, openid: str, at: datetime, now: datetime) -> int:
    """`touch_in` in a transaction of its own (for pushes that do not reach the conversation)."""
    async with db.session() as s:
        return await touch_in(s, openid, at, now)


async def touch_in(s: AsyncSession, openid: str, at: datetime, now: datetime) -> int:
    """The user wrote at `at`: the 48-hour window is open again.

    Notifications held while it was closed go back in the broadcaster's queue; returns how many.
    """
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(WechatContact).values(openid=openid, last_inbound_at=at)
    # Pushes may arrive out of order (WeChat re-sends): the window follows the latest one.
    stmt = stmt.on_conflict_do_update(
        index_elements=[WechatContact.openid], set_={"last_inbound_at": stmt.excluded.last_inbound_at},
        where=WechatContact.last_inbound_at < stmt.excluded.last_inbound_at)
    await s.execute(stmt)
    recent = select(Notification.id).where(Notification.created_at >= now - RESEND_HELD_WITHIN)
    result = await s.execute(
        update(NotificationDelivery)
        .where(NotificationDelivery.channel == CHANNEL, NotificationDelivery.chat_id == openid,
               NotificationDelivery.status == "held", NotificationDelivery.notification_id.in_(recent))
        .values(status="pending", next_attempt_at=None, error=None))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def outside_window(db: Database, openids: Iterable[str], now: datetime) -> set[str]:
    """The users WeChat would refuse a customer-service message to now (never wrote, or >48 h ago)."""
    wanted = set(openids)
    if not wanted:
        return set()
    async with db.session() as s:
        open_ = set(await s.scalars(select(WechatContact.openid).where(
            WechatContact.openid.in_(wanted), WechatContact.last_inbound_at > now - WINDOW)))
    return wanted - open_


async def remember_menu(db: Database, openid: str, options: list[Option], now: datetime) -> None:
    """Choices shown by a notification (outside any turn): a reply "1" now picks from these."""
    async with db.session() as s:
        menu = await s.get(WechatMenu, openid)
        rows = [[label, payload] for label, payload in options]
        if menu is None:
            s.add(WechatMenu(openid=openid, options=rows, updated_at=now))
        else:
            menu.options, menu.updated_at = rows, now
