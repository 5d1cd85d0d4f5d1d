"""The vote jobs the scheduler runs: open due votes, close and publish ended ones, remind."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.config import Settings
from bot.jobs import vote_reminders, vote_timeline
from bot.scheduler import JobContext
from core.voting.service import VoteDraft, announce
from storage.db import Database
from storage.models.votes import Vote
from tests.votes.conftest import estate_with_register


async def test_vote_timeline_opens_and_closes(db: Database, settings: Settings) -> None:
    now = datetime.now(timezone.utc)
    async with db.session() as s:
        e = await estate_with_register(s)
        # Announced long ago (backdated) so that it is due to open now and close soon after.
        v1 = await announce(s, VoteDraft(e.id, "A", "甲事项？", "rebuild", now - timedelta(hours=1),
                                         now + timedelta(days=3)), None, now - timedelta(days=20))
        v2 = await announce(s, VoteDraft(e.id, "B", "乙事项？", "rebuild", now - timedelta(days=2),
                                         now - timedelta(minutes=1)), None, now - timedelta(days=20))
    ctx = JobContext(settings=settings, db=db, scheduler_id="test")
    await vote_timeline(ctx)
    async with db.session() as s:
        status = {v.id: v.status for v in await s.scalars(select(Vote))}
    # v2 was opened and, its close having passed, counted and published in the same run.
    assert status == {v1.id: "open", v2.id: "published"}
    await vote_reminders(ctx)  # nobody bound: nobody to remind, and no failure
