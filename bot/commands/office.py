"""`linli office channel add|list`: where an office receives its tickets (WeCom group robot,
signed webhook, Telegram group). Delivery itself is the `office_outbox` job (bot.office_delivery)."""
from __future__ import annotations

import secrets as _secrets

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.common import in_session


@click.group("office")
def office_group() -> None:
    """Offices' own channels for ticket delivery (工单推送)."""


@office_group.group("channel")
def channel_group() -> None:
    """Channels an office's tickets are delivered to."""


@channel_group.command("add")
@click.option("--office-kind", required=True, type=click.Choice(["property_company", "community", "street_office"]))
@click.option("--office", required=True, help="the office's code (or id)")
@click.option("--kind", required=True, type=click.Choice(["wecom_robot", "webhook", "telegram_group"]))
@click.option("--target", required=True, help="robot or webhook URL, or the Telegram group's chat id")
@click.option("--secret", default=None, help="webhook HMAC key (generated and shown once if omitted)")
@click.option("--per-minute", type=int, default=None, help="sends per minute (default 20, WeCom's limit)")
@click.option("--label", default=None)
def add(office_kind: str, office: str, kind: str, target: str, secret: str | None, per_minute: int | None,
        label: str | None) -> None:
    """Add a channel; new ticket events of the office are delivered to it from now on."""
    from core.tickets.outbox import ChannelError, add_channel

    generated = kind == "webhook" and not secret
    if generated:
        secret = _secrets.token_urlsafe(32)

    async def go(s: AsyncSession) -> int:
        ch = await add_channel(s, office_kind, office, kind, target, secret=secret, per_minute=per_minute,
                               label=label)
        return ch.id

    cid = in_session(go, (ChannelError,))
    click.echo(f"channel {cid} added")
    if generated:
        click.echo(f"secret (give it to the receiver; shown once): {secret}")


@channel_group.command("list")
def list_() -> None:
    """Channels with their backlog: pending, sending and failed deliveries."""
    from sqlalchemy import func, select

    from storage.models.office_outbox import OfficeChannel, OfficeDelivery

    async def go(s: AsyncSession) -> list[tuple[OfficeChannel, dict[str, int]]]:
        out = []
        for ch in await s.scalars(select(OfficeChannel).order_by(OfficeChannel.id)):
            counts = dict((await s.execute(
                select(OfficeDelivery.status, func.count()).where(OfficeDelivery.channel_id == ch.id)
                .group_by(OfficeDelivery.status))).tuples().all())
            out.append((ch, counts))
        return out

    for ch, counts in in_session(go):
        backlog = " ".join(f"{k}={counts.get(k, 0)}" for k in ("pending", "sending", "sent", "failed"))
        state = "on" if ch.enabled else "off"
        click.echo(f"{ch.id}\t{ch.office_kind}:{ch.office_id}\t{ch.kind}\t{_shown(ch.kind, ch.target)}\t"
                   f"{ch.per_minute}/min\t{state}\t{backlog}\t{ch.label or ''}")


def _shown(kind: str, target: str) -> str:
    """A WeCom robot URL carries its key, which lets anyone post to the group: shorten it."""
    if kind == "wecom_robot" and "key=" in target:
        head, key = target.split("key=", 1)
        return f"{head}key={key[:4]}…"
    return target
