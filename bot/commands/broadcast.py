"""`linli broadcast run|status|requeue-stale`: the send log of notifications, from the terminal.

`run` drains pending deliveries with the platform senders made from the settings (Telegram when
LINLI_TELEGRAM_TOKEN is set, WeChat when LINLI_WECHAT_APPID and LINLI_WECHAT_APP_SECRET are; it
only sends, it does not receive updates, so it can run beside `linli run`). Rows left `sending` by a crash are not touched by `run`: see bot/broadcast.py.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import click
from sqlalchemy import func, select

from bot.config import Settings, get_settings


@contextlib.asynccontextmanager
async def platform_senders(settings: Settings) -> AsyncIterator[dict[str, Any]]:
    """Senders for the configured platforms, closed afterwards."""
    senders: dict[str, Any] = {}
    closers = []
    if settings.telegram_token:
        from bot.channels.telegram.sender import TelegramSender
        from bot.channels.telegram.service import bot_id_from_token, make_adapter

        adapter = make_adapter(settings, polling=False)
        await adapter.open()
        closers.append(adapter.close)
        senders["telegram"] = TelegramSender(adapter.api, bot=str(bot_id_from_token(settings.telegram_token)))
    if settings.wechat_appid and settings.wechat_app_secret:
        from bot.channels.wechat.client import WechatClient
        from bot.channels.wechat.sender import WechatSender
        from storage.db import Database

        client = WechatClient(settings.wechat_appid, settings.wechat_app_secret, settings.wechat_api_base)
        db = Database(settings.database_url)  # the sender reads the 48-hour window from the database
        closers += [client.aclose, db.dispose]
        senders["wechat"] = WechatSender(db, client, links=settings.wechat_menu_links)
    try:
        yield senders
    finally:
        for close in closers:
            with contextlib.suppress(Exception):
                await close()


@click.group("broadcast")
def broadcast_group() -> None:
    """Deliveries of notices, reminders and vote announcements (送达记录)."""


@broadcast_group.command("run")
@click.option("--channel", "channels", multiple=True, help="only these platform channels (web and console are always served)")
@click.option("--rate", type=float, default=None, help="override the channel's messages per second")
@click.option("--progress/--no-progress", default=True, show_default=True)
def run(channels: tuple[str, ...], rate: float | None, progress: bool) -> None:
    """Send every pending delivery, keeping to each platform's limits, then exit."""
    from dataclasses import replace

    from bot.broadcast import DEFAULT_LIMITS, TRANSCRIPT_CHANNELS, Broadcaster
    from bot.ratelimit import make_limiter
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.models.notifications import Delivery

    settings = get_settings()

    async def go() -> dict[str, int]:
        await asyncio.to_thread(upgrade, settings.database_url)
        db = Database(settings.database_url)
        tally: dict[str, int] = {}
        stack = contextlib.ExitStack()
        try:
            async with platform_senders(settings) as senders:
                if channels:
                    senders = {k: v for k, v in senders.items() if k in channels}
                limits = dict(DEFAULT_LIMITS)
                if rate is not None:
                    limits = {k: replace(v, rate=rate) for k, v in limits.items()}
                served = [*TRANSCRIPT_CHANNELS, *senders]
                async with db.session() as s:
                    total = await s.scalar(select(func.count()).select_from(Delivery).where(
                        Delivery.status == "pending", Delivery.channel.in_(served))) or 0
                    stale = await s.scalar(select(func.count()).select_from(Delivery).where(
                        Delivery.status == "sending", Delivery.channel.in_(served))) or 0
                if stale:
                    click.echo(f"{stale} 条送达处于“发送中”（另一进程正在发送，或上次中断、结果不明），本次不重发"
                               f"（查看：linli broadcast status；确认后重发：linli broadcast requeue-stale）", err=True)
                quiet = stack.enter_context(open(os.devnull, "w")) if not (progress and total) else None
                bar = click.progressbar(length=total, label="发送通知", show_pos=True, show_eta=True, file=quiet)

                def done(status: str) -> None:
                    tally[status] = tally.get(status, 0) + 1
                    bar.update(1)

                limiter = make_limiter(settings.redis_url, settings.redis_prefix + "rl:")  # shared with the workers' replies
                for sender in senders.values():
                    if hasattr(sender, "limiter"):  # a sender booking the later parts of a message itself
                        sender.limiter = limiter
                try:
                    with bar:
                        await Broadcaster(db, senders, limits=limits, on_done=done, limiter=limiter).drain()
                finally:
                    if limiter is not None:
                        await limiter.aclose()
        finally:
            stack.close()
            await db.dispose()
        return tally

    tally = asyncio.run(go())
    click.echo("完成：" + "，".join(f"{k} {v}" for k, v in sorted(tally.items())) if tally else "没有待发送的通知")


@broadcast_group.command("status")
def status() -> None:
    """Deliveries by channel and status."""
    from bot.broadcast import counts
    from bot.commands.common import in_session

    rows = in_session(counts)
    if not rows:
        click.echo("没有送达记录")
        return
    order = ["pending", "sending", "sent", "held", "blocked", "failed"]
    for channel in sorted({ch for ch, _ in rows}):
        parts = [f"{st} {rows[(channel, st)]}" for st in order if (channel, st) in rows]
        parts += [f"{st} {n}" for (ch, st), n in sorted(rows.items()) if ch == channel and st not in order]
        click.echo(f"{channel}\t" + "\t".join(parts))
    if any(st == "sending" for _, st in rows):
        click.echo("sending：正在发送，或上次中断时结果不明（不会自动重发）")
    if any(st == "held" for _, st in rows):
        click.echo("held：平台暂不接收（如超出微信48小时客服消息窗口），居民再次发消息后自动发送")


@broadcast_group.command("requeue-stale")
@click.option("--older-than", "minutes", type=float, default=30.0, show_default=True,
              help="only sends claimed at least this many minutes ago")
@click.option("--channel", default=None)
@click.confirmation_option(prompt="这些通知可能已经送达，重发可能让居民收到两次。继续？")
def requeue_stale_cmd(minutes: float, channel: str | None) -> None:
    """Put sends interrupted by a crash back in the queue (they may have arrived already)."""
    from bot.broadcast import requeue_stale
    from bot.commands.common import in_session

    n = in_session(lambda s: requeue_stale(s, timedelta(minutes=minutes), datetime.now(timezone.utc), channel))
    click.echo(f"已重新排队 {n} 条")


if __name__ == "__main__":  # `python -m bot.commands.broadcast run`, before the command is registered
    broadcast_group()
