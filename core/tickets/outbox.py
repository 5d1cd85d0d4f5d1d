"""Ticket events owed to the offices' own channels (product.md §3 "Delivery to offices").

`enqueue_for_event` runs inside the unit of work that records the event, so the event and what is
owed to each channel commit together or not at all: nothing is lost if the process dies between
the two, and nothing is owed for an event that was rolled back. bot.office_delivery sends them.

The payload is fixed when the event happens and holds only what the handling office may see:
no reporter name or phone; phone numbers in the text masked; for anonymous reports and complaints
about the property company, room numbers and self-introductions redacted (core.tickets.redact),
as for the urgent alert to on-duty staff.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.tickets import catalog
from core.tickets.lifecycle import Action
from core.tickets.privacy import mask_phones_in_text
from core.tickets.redact import redact_for_hidden_reporter
from core.tickets.state import due_text, place_text
from storage.models import Estate
from storage.models.office_outbox import OfficeChannel, OfficeDelivery
from storage.models.tickets import Ticket, TicketEvent

CHANNEL_KINDS = ("wecom_robot", "webhook", "telegram_group")
OFFICE_KINDS = ("property_company", "community", "street_office")
# Events that are news to the office; "follow" (a resident's 我也遇到了) is not.
_EXTRA_ACTIONS_ZH = {"create": "新工单", "recategorise": "改类"}
MAX_TEXT = 500  # a card, not the whole thread: the console has the rest


@dataclass(frozen=True)
class Card:
    """What a channel shows of one event."""

    title: str
    lines: tuple[tuple[str, str], ...]  # (label, value)

    def plain(self) -> str:
        return "\n".join([self.title, *(f"{k}：{v}" for k, v in self.lines)])

    def markdown(self) -> str:
        return "\n".join([f"**{self.title}**", *(f"> {k}：{v}" for k, v in self.lines)])


def idempotency_key(channel_id: int, event_id: int) -> str:
    return f"linli-{channel_id}-{event_id}"


def action_zh(action: str) -> str:
    if action in _EXTRA_ACTIONS_ZH:
        return _EXTRA_ACTIONS_ZH[action]
    try:
        return Action(action).zh
    except ValueError:
        return action


def reporter_hidden(t: Ticket) -> bool:
    return t.anonymous or t.about_property


def office_text(t: Ticket, text: str | None) -> str | None:
    """Free text as an office channel may carry it."""
    if not text:
        return text
    out = redact_for_hidden_reporter(text) if reporter_hidden(t) else mask_phones_in_text(text)
    return out if len(out) <= MAX_TEXT else out[:MAX_TEXT] + "…"


async def build_payload(session: AsyncSession, t: Ticket, event: TicketEvent) -> dict[str, Any]:
    estate = await session.get(Estate, t.estate_id)
    zone = ZoneInfo((estate.timezone if estate else None) or "Asia/Shanghai")
    hidden = reporter_hidden(t)
    where = place_text(t.building, None if hidden else t.unit, None if hidden else t.room, t.place)
    ticket = {
        "number": t.number, "category": t.category, "category_name": catalog.category_name(t.category),
        "estate": estate.name if estate else "", "place": where, "status": t.status, "queue": t.queue,
        "office_id": t.office_id, "department": t.department, "urgent": t.urgent, "supervised": t.supervised,
        "answer_due": t.answer_due.isoformat(), "answer_due_text": due_text(t.answer_due, zone),
        "description": office_text(t, t.description) or "",
    }
    ev = {"id": event.id, "action": event.action, "action_name": action_zh(event.action),
          "from_status": event.from_status, "to_status": event.to_status, "actor_role": event.actor_role,
          "at": event.at.isoformat(), "reason": office_text(t, event.reason), "target": event.target}
    return {"ticket": ticket, "event": ev}


def card(payload: dict[str, Any]) -> Card:
    """The card text for WeCom and Telegram, from the stored payload alone."""
    t, e = payload["ticket"], payload["event"]
    title = f"{'【紧急】' if t['urgent'] else ''}【{e['action_name']}】工单 {t['number']}"
    lines = [("类别", t["category_name"]), ("地点", f"{t['estate']} {t['place']}".strip()),
             ("答复期限", t["answer_due_text"])]
    if e["action"] == "create" and t["description"]:
        lines.append(("内容", t["description"]))
    if e.get("reason"):
        lines.append(("说明", e["reason"]))
    if t["supervised"]:
        lines.append(("督办", "街道督办中"))
    return Card(title, tuple(lines))


async def enqueue_for_event(session: AsyncSession, ticket: Ticket, event: TicketEvent) -> int:
    """Owe the event to every enabled channel of the office whose queue the ticket is in now.
    Returns how many deliveries were written. The event must be flushed (it needs its id)."""
    if event.action == "follow":
        return 0
    channels = list(await session.scalars(
        select(OfficeChannel).where(OfficeChannel.office_kind == ticket.queue,
                                    OfficeChannel.office_id == ticket.office_id,
                                    OfficeChannel.enabled.is_(True)).order_by(OfficeChannel.id)))
    if not channels:
        return 0
    payload = await build_payload(session, ticket, event)
    for ch in channels:
        session.add(OfficeDelivery(channel_id=ch.id, ticket_event_id=event.id,
                                   idempotency_key=idempotency_key(ch.id, event.id),
                                   payload=payload, status="pending", attempts=0, next_attempt_at=None))
    await session.flush()
    return len(channels)


class ChannelError(ValueError):
    """A channel that cannot be configured as asked (message for the operator)."""


async def add_channel(session: AsyncSession, office_kind: str, office: str, kind: str, target: str, *,
                      secret: str | None = None, per_minute: int | None = None,
                      label: str | None = None) -> OfficeChannel:
    """Configure a channel for an office named by its code or id. Webhooks need a secret (their
    receiver checks the signature); a WeCom robot defaults to its platform limit of 20/min."""
    from storage.models import Community, PropertyCompany, StreetOffice

    if office_kind not in OFFICE_KINDS:
        raise ChannelError(f"office kind must be one of {', '.join(OFFICE_KINDS)}")
    if kind not in CHANNEL_KINDS:
        raise ChannelError(f"channel kind must be one of {', '.join(CHANNEL_KINDS)}")
    models: dict[str, Any] = {"property_company": PropertyCompany, "community": Community,
                              "street_office": StreetOffice}
    model = models[office_kind]
    row = await session.scalar(select(model).where(model.code == office))
    if row is None and office.isdigit():
        row = await session.get(model, int(office))
    if row is None:
        raise ChannelError(f"no {office_kind} {office}")
    target = target.strip()
    if kind in ("webhook", "wecom_robot") and not target.startswith(("https://", "http://")):
        raise ChannelError("a webhook or robot target must be an http(s) URL")
    if kind == "telegram_group" and not target.lstrip("-").isdigit() and not target.startswith("@"):
        raise ChannelError("a Telegram group target is its chat id (e.g. -1001234567890)")
    if kind == "webhook" and not secret:
        raise ChannelError("a webhook needs a secret to sign its deliveries")
    limit = per_minute if per_minute is not None else 20
    if limit < 1:
        raise ChannelError("per-minute limit must be at least 1")
    ch = OfficeChannel(office_kind=office_kind, office_id=row.id, kind=kind, target=target, secret=secret,
                       enabled=True, per_minute=limit, label=label)
    session.add(ch)
    await session.flush()
    return ch
