"""A running installation for console tests: the demo estate 阳光花园 (street office S01), a second
estate of the same street with another property company (绿园), an estate of another street
(晴天小区, S02) with its own committee; console accounts for staff of each; the one web app; a
clock the test moves. `await desk.signed_in("street")` gives an httpx client signed in through
the real login form, which adds the CSRF token to its posts."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Page
from sqlalchemy import select

from bot.config import Settings
from bot.runtime import Runtime
from bot.web.app import create_app
from core.accounts import create_account
from core.demo import seed_demo
from core.people import installation_secret
from core.roles import Role, ScopeKind
from handlers import default_routers
from handlers.dispatcher import Dispatcher, Services
from storage.db import Database
from storage.models import Community, Estate, PropertyCompany, StreetOffice
from storage.repositories.people import PeopleRepository
from tests.helpers import make_estate
from tests.web.server import Server

# Monday 23 November 2026, 10:00 in Shanghai.
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
# Who signs in for the tests: label -> (name, role, scope kind, which scope).
STAFF: dict[str, tuple[str, Role, ScopeKind, str]] = {
    "property": ("物业甲·客服", Role.PROPERTY_STAFF, ScopeKind.ESTATE, "estate"),
    "property_neighbour": ("物业乙·客服", Role.PROPERTY_STAFF, ScopeKind.ESTATE, "neighbour"),
    "community": ("社区·网格员", Role.COMMUNITY_STAFF, ScopeKind.COMMUNITY, "community"),
    "street": ("街道·物业办", Role.STREET_STAFF, ScopeKind.STREET_OFFICE, "office"),
    "street_elsewhere": ("外街道·物业办", Role.STREET_STAFF, ScopeKind.STREET_OFFICE, "office_elsewhere"),
    "committee": ("业委会·委员", Role.COMMITTEE, ScopeKind.ESTATE, "estate"),
    "committee_elsewhere": ("外小区·业委会", Role.COMMITTEE, ScopeKind.ESTATE, "elsewhere"),
    "admin": ("管理员", Role.ADMIN, ScopeKind.ALL, "all"),
}
LABELS = (*STAFF, "anonymous")


def login_of(label: str) -> str:
    return "t-" + label.replace("_", "-")


def password_of(label: str) -> str:
    return f"pw-{sum(map(ord, label))}-Zq7x"


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class ConsoleClient:
    """A browser's cookie jar on the console: posts carry the session's CSRF token."""

    def __init__(self, client: httpx.AsyncClient, csrf: str = "") -> None:
        self.c = client
        self.csrf = csrf

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.c.get(url, **kw)

    async def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True,
                   **kw: Any) -> httpx.Response:
        body = dict(data or {})
        if csrf and "csrf" not in body:
            body["csrf"] = self.csrf
        return await self.c.post(url, data=body, **kw)

    async def aclose(self) -> None:
        await self.c.aclose()


@dataclass
class Desk:
    rt: Runtime
    app: FastAPI
    clock: Clock
    estate: Estate  # 阳光花园, S01, 安居物业, committee formed
    neighbour: Estate  # 绿园, S01, another property company
    elsewhere: Estate  # 晴天小区, another street office
    office: StreetOffice
    office_elsewhere: StreetOffice
    people: dict[str, int]  # label -> person id
    clients: list[ConsoleClient] = field(default_factory=list)

    def client(self) -> ConsoleClient:
        c = ConsoleClient(httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                            base_url="https://linli.test", follow_redirects=False))
        self.clients.append(c)
        return c

    async def signed_in(self, label: str) -> ConsoleClient:
        """Through the real login form. 'anonymous' gives a client that never signed in."""
        c = self.client()
        if label == "anonymous":
            return c
        page = await c.get("/console/login")
        token = CSRF.search(page.text)
        assert token, page.text
        r = await c.post("/console/login", {"login": login_of(label), "password": password_of(label),
                                            "csrf": token.group(1)})
        assert r.status_code == 303, r.text
        home = await c.get("/console")
        found = CSRF.search(home.text)
        assert home.status_code == 200 and found, home.text
        c.csrf = found.group(1)
        return c


async def _person(db: Database, name: str, role: Role, kind: ScopeKind, scope_id: int | None,
                  login: str, password: str) -> int:
    async with db.session() as s:
        people = PeopleRepository(s)
        p = await people.add_person(name)
        await people.grant(p.id, role.value, kind.value, scope_id)
        await create_account(s, p.id, login, password, T0)
        return p.id


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Desk]:
    clock = Clock()
    db = Database(settings.database_url)
    async with db.session() as s:
        secret = await installation_secret(s, settings.secret_key)
    services = Services(secret=secret, clock=clock, public_url="https://linli.test")
    rt = Runtime(settings, db, services, Dispatcher(db, services, default_routers()))
    async with db.session() as s:
        rt.demo = await seed_demo(s, secret, T0)
        estate = await s.scalar(select(Estate).where(Estate.code == "YG"))
        office = await s.scalar(select(StreetOffice).where(StreetOffice.code == "S01"))
        community = await s.scalar(select(Community).where(Community.code == "C01"))
        assert estate and office and community
        company = PropertyCompany(code="P02", name="绿城物业")
        s.add(company)
        await s.flush()
        neighbour = Estate(code="LY", name="绿园", community_id=community.id, property_company_id=company.id,
                           committee_formed=True, settings={})
        s.add(neighbour)
        elsewhere = await make_estate(s, "QT", name="晴天小区", street_code="S02")
        elsewhere.committee_formed = True
        await s.flush()
        office_elsewhere = await s.scalar(select(StreetOffice).where(StreetOffice.code == "S02"))
        assert office_elsewhere
    scopes = {"estate": estate.id, "neighbour": neighbour.id, "community": community.id, "office": office.id,
              "office_elsewhere": office_elsewhere.id, "elsewhere": elsewhere.id, "all": None}
    people = {label: await _person(db, name, role, kind, scopes[scope], login_of(label),
                                   password_of(label))
              for label, (name, role, kind, scope) in STAFF.items()}
    app = create_app(rt)
    d = Desk(rt, app, clock, estate, neighbour, elsewhere, office, office_elsewhere, people)
    yield d
    for c in d.clients:
        await c.aclose()
    await rt.close()


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    """`linli run` as a real process on a fresh database of each backend, demo seeded: for the
    browser tests. Console logins printed at start are in `server.logins` (label -> login, password)."""
    s = Server(db_url, tmp_path, LINLI_DEMO="true")
    s.start()
    yield s
    s.stop()


def sign_in(page: Page, server: Server, label: str) -> None:
    """Sign in through the login page as one of the demo's console accounts (业委会/物业/社区/街道/管理员)."""
    login, password = server.logins[label]
    page.goto(server.url + "/console/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(server.url + "/console")
