"""The scheduled jobs of the installation: `default_specs` is what the leader keeps in the store.

A job function is module-level, takes the `JobContext` first and the spec's kwargs after it, and
may be async or sync. Jobs of a capability (closing votes, reminders, ticket escalation, erasure)
live with that capability; only their specs are listed here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from bot.config import Settings
from bot.scheduler import JobContext, JobSpec, cron, every
from storage.db import Database
from storage.models import AppSetting

HEARTBEAT_KEY = "scheduler_heartbeat"


@dataclass(frozen=True)
class Heartbeat:
    at: datetime
    by: str  # the leader's scheduler id: host:pid:suffix


async def heartbeat(ctx: JobContext) -> None:
    """Record that a leader is alive and who it is (an operator can read it from app_setting)."""
    value = json.dumps({"at": datetime.now(timezone.utc).isoformat(), "by": ctx.scheduler_id})
    async with ctx.db.session() as s:
        await s.merge(AppSetting(key=HEARTBEAT_KEY, value=value))


async def read_heartbeat(db: Database) -> Heartbeat | None:
    async with db.session() as s:
        row = await s.get(AppSetting, HEARTBEAT_KEY)
        if row is None:
            return None
        data = json.loads(row.value)
        return Heartbeat(at=datetime.fromisoformat(data["at"]), by=data["by"])


async def vote_timeline(ctx: JobContext) -> None:
    """Open votes whose time has come (freezing the electorate), close and publish those that ended."""
    from core.voting.service import close_due, open_due

    now = datetime.now(timezone.utc)
    async with ctx.db.session() as s:
        await open_due(s, now)
    async with ctx.db.session() as s:
        await close_due(s, now)


async def vote_reminders(ctx: JobContext) -> None:
    """A daily personal reminder to owners who have not voted in an open vote."""
    from sqlalchemy import select

    from core.voting.service import remind_non_voters
    from storage.models.votes import Vote

    now = datetime.now(timezone.utc)
    async with ctx.db.session() as s:
        for vote in await s.scalars(select(Vote).where(Vote.status == "open")):
            await remind_non_voters(s, vote, now)


async def fee_reminders(ctx: JobContext) -> None:
    """Arrears reminders; safe hourly: the weekly and per-period caps come from recorded reminders,
    and nothing is sent between 21:00 and 08:00."""
    from core.fees.service import run_reminders

    await run_reminders(ctx.db, datetime.now(timezone.utc))


async def ticket_escalation(ctx: JobContext) -> None:
    """Overdue property tickets go to the street office's queue for supervision (督办)."""
    from core.tickets.jobs import escalate_overdue

    await escalate_overdue(ctx.db, datetime.now(timezone.utc))


async def ticket_housekeeping(ctx: JobContext) -> None:
    """Close answers nobody rated in time; erase personal data past the retention period."""
    from core.tickets.jobs import close_unrated, erase_expired

    now = datetime.now(timezone.utc)
    await close_unrated(ctx.db, now)
    await erase_expired(ctx.db, now)


def default_specs(settings: Settings) -> list[JobSpec]:
    return [
        every("scheduler_heartbeat", "bot.jobs:heartbeat", seconds=60),
        every("vote_timeline", "bot.jobs:vote_timeline", seconds=60),
        cron("vote_reminders", "bot.jobs:vote_reminders", {"hour": 10, "minute": 0}),
        every("fee_reminders", "bot.jobs:fee_reminders", seconds=3600),
        every("ticket_escalation", "bot.jobs:ticket_escalation", seconds=300),
        every("office_outbox", "bot.office_delivery:deliver_office_outbox", seconds=15),
        cron("ticket_housekeeping", "bot.jobs:ticket_housekeeping", {"hour": 3, "minute": 30}),
    ]
