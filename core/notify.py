"""Notifying people: one notification per person and event, one delivery per chat account.

Called inside the unit of work of the event itself (transactional outbox): if the event rolls
back, nobody is told; if it commits, the broadcaster will deliver, even after a crash.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatIdentity
from storage.models.notifications import Delivery, Notification


def message(text: str, buttons: list[list[tuple[str, str]]] | None = None) -> dict[str, Any]:
    """A channel-neutral message body: text and rows of (label, payload) buttons."""
    return {"text": text,
            "buttons": [[{"label": lb, "payload": pl} for lb, pl in row] for row in (buttons or [])]}


async def notify(session: AsyncSession, person_ids: Iterable[int], body: dict[str, Any], kind: str,
                 key: str) -> int:
    """Queue `body` for each person on every active chat account; `key` names the event.

    Returns how many notifications were created (people already notified of `key` are skipped).
    """
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    keys = {pid: f"{key}:{pid}" for pid in ids}
    done = set(await session.scalars(
        select(Notification.idempotency_key).where(Notification.idempotency_key.in_(keys.values()))))
    identities: dict[int, list[ChatIdentity]] = {}
    for ident in await session.scalars(
            select(ChatIdentity).where(ChatIdentity.person_id.in_(ids), ChatIdentity.active.is_(True))):
        identities.setdefault(ident.person_id, []).append(ident)
    created = 0
    for pid in ids:
        if keys[pid] in done:
            continue
        n = Notification(person_id=pid, kind=kind, body=body, idempotency_key=keys[pid])
        session.add(n)
        await session.flush()
        for ident in identities.get(pid, []):
            session.add(Delivery(notification_id=n.id, identity_id=ident.id, channel=ident.channel,
                                 chat_id=ident.private_chat_id))
        created += 1
    await session.flush()
    return created
