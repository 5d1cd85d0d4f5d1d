"""Data the committee tests build in the desk's 阳光花园: verified owners with chat accounts, a vote
announced through the page and moved to its opening day."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.fees.ledger import premises_index
from storage.models import Residency
from storage.models.votes import Vote
from storage.repositories.people import PeopleRepository
from tests.console.conftest import ConsoleClient, Desk

VOTE_URL = re.compile(r"/console/committee/votes/(\d+)$")


def vote_form(desk: Desk, opens_in: timedelta = timedelta(days=16), **changes: str) -> dict[str, str]:
    local = (desk.clock.now + opens_in).astimezone(ZoneInfo("Asia/Shanghai"))
    closes = local + timedelta(days=14)
    form = {"title": "更换电梯维保单位", "question": "是否同意续聘电梯维保单位？", "matter": "use_maintenance_fund",
            "opens": local.strftime("%Y-%m-%dT%H:%M"), "closes": closes.strftime("%Y-%m-%dT%H:%M")}
    form.update(changes)
    return form


async def announced_vote(desk: Desk, client: ConsoleClient | None = None) -> int:
    """A vote of 阳光花园 created and announced through the page; returns its id."""
    c = client or await desk.signed_in("committee")
    r = await c.post(f"/console/committee/{desk.estate.id}/votes", vote_form(desk))
    assert r.status_code == 303, r.text
    m = VOTE_URL.search(r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


async def open_vote_in(desk: Desk) -> int:
    """An announced vote whose opening day has come, opened through the page."""
    c = await desk.signed_in("committee")
    vote_id = await announced_vote(desk, c)
    async with desk.rt.db.session() as s:
        vote = await s.get(Vote, vote_id)
        assert vote is not None
        desk.clock.now = vote.opens_at + timedelta(minutes=5)
    c = await desk.signed_in("committee")  # sixteen days later: the first session has expired
    r = await c.post(f"/console/committee/votes/{vote_id}/open")
    assert r.status_code == 303
    async with desk.rt.db.session() as s:
        vote = await s.get(Vote, vote_id)
        assert vote is not None and vote.status == "open", r.headers
    return vote_id


async def owners(desk: Desk, places: list[tuple[str, str, str, str | None]]) -> list[int]:
    """Verified owners of 阳光花园 premises (building, unit, room), each with a chat account on
    `channel` (None: no chat account). Returns their person ids."""
    ids = []
    async with desk.rt.db.session() as s:
        index = await premises_index(s, desk.estate.id)
        people = PeopleRepository(s)
        for n, (b, u, room, channel) in enumerate(places):
            p = await people.add_person(f"业主{n}")
            if channel:
                await people.add_identity(p, channel, f"ext-{p.id}", f"chat-{p.id}")
            s.add(Residency(person_id=p.id, premises_id=index[(b, u, room)], relation="owner"))
            ids.append(p.id)
    return ids


async def vote_of(desk: Desk, vote_id: int) -> Vote:
    async with desk.rt.db.session() as s:
        vote = await s.scalar(select(Vote).where(Vote.id == vote_id))
        assert vote is not None
        return vote
