"""A running installation for console tests: the demo estate 阳光花园 (street office S01), a second
estate of the same street with another property company (绿园), an estate of another street
(晴天小区, S02) with its own committee; console accounts for staff of each; the one web app; a
clock the test moves. `await desk.signed_in("street")` gives an httpx client signed in through
the real login form, which adds the CSRF token to its posts."""
from __future__ import annotations

import asyncio
import copy
import re
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
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
from core.demo import DemoResult, seed_demo
from core.roles import Role, ScopeKind
from handlers import default_routers
from handlers.dispatcher import Dispatcher, Services
from storage.db import Database
from storage.models import Community, Estate, PropertyCompany, StreetOffice
from storage.repositories.people import PeopleRepository
from tests.conftest import BACKENDS, Templates, _pg_url, drop_pg_database, new_pg_database
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


DESK_SECRET = "desk-secret-for-tests-only"


async def _seed_desk(url: str) -> tuple[DemoResult, dict[str, int]]:
    """The desk's places and people, written once per backend into a template database."""
    db = Database(url)
    try:
        async with db.session() as s:
            demo = await seed_demo(s, DESK_SECRET, T0)
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
        people = {label: await _person(db, name, role, kind, scopes[scope], login_of(label), password_of(label))
                  for label, (name, role, kind, scope) in STAFF.items()}
        return demo, people
    finally:
        await db.dispose()


class DeskTemplates:
    """Seed once per backend per run (the demo estate, 8 argon2 accounts: seconds), copy per test."""

    def __init__(self, templates: Templates, root: Path) -> None:
        self.templates = templates
        self.root = root
        self.seeded: dict[str, tuple[str, DemoResult, dict[str, int]]] = {}

    def _seed(self, url: str) -> tuple[DemoResult, dict[str, int]]:
        # Its own thread and event loop: the test's loop belongs to the test.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, _seed_desk(url)).result()

    def copy(self, backend: str) -> tuple[str, DemoResult, dict[str, int], str | None]:
        """A database URL holding the desk, its demo result, the people, and the PG database to drop."""
        if backend not in self.seeded:
            if backend == "sqlite":
                url = self.templates.sqlite_copy()
                demo, people = self._seed(url)
                self.seeded[backend] = (url.removeprefix("sqlite+aiosqlite:///"), demo, people)
            else:
                name = self.templates.pg_copy()
                demo, people = self._seed(_pg_url(name))
                self.seeded[backend] = (name, demo, people)
        source, demo, people = self.seeded[backend]
        if backend == "sqlite":
            dst = self.root / f"{uuid.uuid4().hex}.sqlite3"
            shutil.copy(source, dst)
            return f"sqlite+aiosqlite:///{dst}", copy.deepcopy(demo), dict(people), None
        name = new_pg_database(template=source)
        return _pg_url(name), copy.deepcopy(demo), dict(people), name

    def close(self) -> None:
        for backend, (source, _, _) in self.seeded.items():
            if backend != "sqlite":
                drop_pg_database(source)


@pytest.fixture(scope="session")
def desk_templates(templates: Templates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskTemplates]:
    t = DeskTemplates(templates, tmp_path_factory.mktemp("desk"))
    yield t
    t.close()


@pytest.fixture(params=BACKENDS)
async def desk(request: pytest.FixtureRequest, desk_templates: DeskTemplates, tmp_path: Path
               ) -> AsyncIterator[Desk]:
    url, demo, people, pg_name = desk_templates.copy(request.param)
    settings = Settings(database_url=url, data_dir=str(tmp_path / "data"), demo=False,  # type: ignore[call-arg]
                        secret_key=DESK_SECRET, _env_file=None)
    clock = Clock()
    db = Database(url)
    services = Services(secret=DESK_SECRET, clock=clock, public_url="https://linli.test")
    rt = Runtime(settings, db, services, Dispatcher(db, services, default_routers()))
    rt.demo = demo
    async with db.session() as s:
        places = {e.code: e for e in (await s.scalars(select(Estate))).all()}
        offices = {o.code: o for o in (await s.scalars(select(StreetOffice))).all()}
    app = create_app(rt)
    d = Desk(rt, app, clock, places["YG"], places["LY"], places["QT"], offices["S01"], offices["S02"], people)
    try:
        yield d
    finally:
        for c in d.clients:
            await c.aclose()
        await rt.close()
        if pg_name:
            drop_pg_database(pg_name)


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
