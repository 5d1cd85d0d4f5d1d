"""Shared by the committee pages: who may use them (the committee of the estate, or the street office
for an estate with no committee: core.governance), form reading and local times."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.console.base import Missing, require_role
from core.accounts import SignedIn
from core.committee import governed_estate
from core.roles import Role
from storage.models import Estate

GOVERNORS = (Role.COMMITTEE, Role.STREET_STAFF)
MAX_FIELD = 3000


async def governed(session: AsyncSession, me: SignedIn, estate_id: int) -> Estate:
    """The estate, if the viewer speaks for its owners; a wrong role is 403, another estate 404."""
    require_role(me, *GOVERNORS)
    estate = await governed_estate(session, me.actor, estate_id)
    if estate is None:
        raise Missing()
    return estate


async def form_fields(request: Request, *names: str) -> dict[str, str]:
    """The posted text fields, trimmed and capped; absent ones are empty (never a 422)."""
    form = await request.form()
    out = {}
    for n in names:
        v = form.get(n)
        out[n] = v.strip()[:MAX_FIELD] if isinstance(v, str) else ""
    return out


def zone(estate: Estate) -> ZoneInfo:
    return ZoneInfo(estate.timezone or "Asia/Shanghai")


def local(dt: datetime | None, estate: Estate, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return dt.astimezone(zone(estate)).strftime(fmt) if dt else ""


def parse_local(text: str, estate: Estate) -> datetime | None:
    """A datetime-local or date input ("2026-12-10T09:00", "2026-12-10 09:00", "2026-12-10") in the
    estate's time; None when it cannot be read."""
    text = text.strip().replace(" ", "T")
    try:
        dt = datetime.fromisoformat(text if "T" in text else text + "T00:00")
    except ValueError:
        return None
    return dt.replace(tzinfo=zone(estate)) if dt.tzinfo is None else dt


def percent(ratio: object) -> str:
    return f"{float(ratio) * 100:.1f}%"  # type: ignore[arg-type]
