"""A running installation for ticket tests: the demo estate 阳光花园 (street office S01), a second
estate of the same street with another property company, and an estate of another street; the
web app with the web chat, the staff API and Open311; a clock the test moves."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from bot.broadcast import Broadcaster
from bot.config import Settings
from bot.runtime import Runtime
from bot.web import open311, tickets_api
from bot.web.app import create_app
from core.demo import seed_demo
from core.people import installation_secret
from core.roles import Role, ScopeKind
from core.tickets.tokens import mint_token
from handlers import complaints, ticket_followup
from handlers.dispatcher import Context, Dispatcher, Router, Services
from storage.db import Database
from storage.models import Community, Estate, PropertyCompany, StreetOffice
from storage.repositories.people import PeopleRepository
from tests.helpers import make_estate

# Monday 23 November 2026, 10:00 in Shanghai.
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def free_text_router() -> Router:
    """The lead's free-text router, reduced to what tickets need: complaints and progress."""
    from nlp import understand

    r = Router("test-free-text")

    @r.message(lambda ctx: bool((ctx.incoming.text or "").strip()))
    async def free_text(ctx: Context) -> None:
        u = understand(ctx.incoming.text or "")
        if u.intent == "progress" and not u.urgent:
            await ticket_followup.show_progress(ctx)
        else:
            await complaints.start_complaint(ctx, u)

    return r


def routers() -> list[Router]:
    try:
        from handlers import default_routers

        base = default_routers()[:-1]
    except ImportError:  # the free-text router is being rewired elsewhere: the rest by hand
        from handlers import binding, consultations, me, start, votes

        base = [start.router, binding.router, me.router, votes.router, consultations.router]
    return [*base, complaints.router, ticket_followup.router, free_text_router()]


@dataclass
class World:
    rt: Runtime
    app: FastAPI
    clock: Clock
    broadcaster: Broadcaster
    estate: Estate  # 阳光花园, S01, 安居物业
    neighbour: Estate  # 绿园, S01, another property company
    elsewhere: Estate  # another street office
    staff: dict[str, int]  # label -> person id
    tokens: dict[str, str]  # label -> bearer token

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://t")

    def auth(self, label: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[label]}"}


async def _person(db: Database, name: str, role: Role, kind: ScopeKind, scope_id: int) -> int:
    async with db.session() as s:
        people = PeopleRepository(s)
        p = await people.add_person(name)
        await people.grant(p.id, role.value, kind.value, scope_id)
        return p.id


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    clock = Clock()
    db = Database(settings.database_url)
    async with db.session() as s:
        secret = await installation_secret(s, settings.secret_key)
    services = Services(secret=secret, clock=clock)
    rt = Runtime(settings, db, services, Dispatcher(db, services, routers()))
    async with db.session() as s:
        rt.demo = await seed_demo(s, secret, T0)
        estate = await s.scalar(select(Estate).where(Estate.code == "YG"))
        assert estate is not None
        office = await s.scalar(select(StreetOffice).where(StreetOffice.code == "S01"))
        assert office is not None
        community = await s.scalar(select(Community).where(Community.code == "C01"))
        company = PropertyCompany(code="P02", name="绿城物业")
        s.add(company)
        await s.flush()
        neighbour = Estate(code="LY", name="绿园", community_id=community.id if community else 0,
                           property_company_id=company.id, settings={})
        s.add(neighbour)
        await s.flush()
        elsewhere = await make_estate(s, "QT", name="晴天小区", street_code="S02")
    staff = {
        "property": await _person(db, "物业甲·客服", Role.PROPERTY_STAFF, ScopeKind.ESTATE, estate.id),
        "property_neighbour": await _person(db, "物业乙·客服", Role.PROPERTY_STAFF, ScopeKind.ESTATE,
                                            neighbour.id),
        "community": await _person(db, "社区·网格员", Role.COMMUNITY_STAFF, ScopeKind.COMMUNITY,
                                   estate.community_id),
        "street": await _person(db, "街道·物业办", Role.STREET_STAFF, ScopeKind.STREET_OFFICE, office.id),
        "street_elsewhere": await _person(db, "外街道·物业办", Role.STREET_STAFF, ScopeKind.STREET_OFFICE,
                                          (await _office_of(db, elsewhere)).id),
    }
    tokens = {}
    async with db.session() as s:
        for label, pid in staff.items():
            tokens[label] = await mint_token(s, pid, T0)
    app = create_app(rt)
    # The lead mounts these in create_app; mounted here until then (a second mount is harmless).
    app.include_router(tickets_api.make_router(rt))
    app.include_router(open311.make_router(rt))
    yield World(rt, app, clock, Broadcaster(db, {}, clock=clock), estate, neighbour, elsewhere, staff, tokens)
    await rt.close()


async def _office_of(db: Database, estate: Estate) -> StreetOffice:
    async with db.session() as s:
        c = await s.get(Community, estate.community_id)
        assert c is not None
        o = await s.get(StreetOffice, c.street_office_id)
        assert o is not None
        return o


def out_texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["body"].get("text", "") for m in messages if m["direction"] == "out")


def buttons(messages: list[dict[str, Any]]) -> dict[str, str]:
    """label -> payload of every button in these messages (later ones win)."""
    found: dict[str, str] = {}
    for m in messages:
        for row in m["body"].get("buttons", []):
            for b in row:
                found[b["label"]] = b["payload"]
    return found


class WebResident:
    """One visitor of the web chat (a cookie jar) talking to the JSON API."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.c = client
        self.last: list[dict[str, Any]] = []

    async def say(self, text: str) -> str:
        return await self._post({"text": text})

    async def press(self, label: str) -> str:
        payload = buttons(self.last).get(label)
        assert payload is not None, f"no button {label!r} in {buttons(self.last)}"
        return await self._post({"payload": payload, "label": label})

    async def payload(self, payload: str, label: str = "") -> str:
        return await self._post({"payload": payload, "label": label})

    async def history(self) -> list[dict[str, Any]]:
        r = await self.c.get("/api/chat/messages")
        assert r.status_code == 200, r.text
        return list(r.json()["messages"])

    async def _post(self, body: dict[str, Any]) -> str:
        r = await self.c.post("/api/chat/messages", json=body)
        assert r.status_code == 200, r.text
        self.last = [m for m in r.json()["messages"] if m["direction"] == "out"]
        return out_texts(self.last)
