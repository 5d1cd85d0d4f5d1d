"""Shared fixtures: a migrated database per test, on SQLite always and PostgreSQL when
LINLI_TEST_PG_URL is set (e.g. postgresql://postgres@127.0.0.1:5432/postgres)."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from storage.db import Database
from storage.migrate import upgrade

PG_URL = os.environ.get("LINLI_TEST_PG_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _pg_admin() -> psycopg.Connection:
    u = make_url(PG_URL)
    return psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                           password=u.password or None, dbname=u.database or "postgres", autocommit=True)


def _pg_url(dbname: str) -> str:
    return make_url(PG_URL).set(drivername="postgresql+psycopg", database=dbname).render_as_string(
        hide_password=False)


def new_pg_database(template: str | None = None) -> str:
    name = "linli_t_" + uuid.uuid4().hex[:12]
    with _pg_admin() as c:
        c.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


def drop_pg_database(name: str) -> None:
    with _pg_admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Templates:
    """Migrate once per backend per run; each test gets a fast copy."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sqlite: Path | None = None
        self.pg: str | None = None

    def sqlite_copy(self) -> str:
        if self.sqlite is None:
            self.sqlite = self.root / "template.sqlite3"
            upgrade(f"sqlite+aiosqlite:///{self.sqlite}")
        dst = self.root / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copy(self.sqlite, dst)
        return f"sqlite+aiosqlite:///{dst}"

    def pg_copy(self) -> str:
        if self.pg is None:
            self.pg = new_pg_database()
            upgrade(_pg_url(self.pg))
        return new_pg_database(template=self.pg)

    def close(self) -> None:
        if self.pg:
            drop_pg_database(self.pg)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    t = Templates(tmp_path_factory.mktemp("db"))
    yield t
    t.close()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, templates: Templates) -> Iterator[str]:
    """A freshly migrated, empty database of each backend."""
    if request.param == "sqlite":
        yield templates.sqlite_copy()
        return
    name = templates.pg_copy()
    try:
        yield _pg_url(name)
    finally:
        drop_pg_database(name)


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (for migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = new_pg_database()
    try:
        yield _pg_url(name)
    finally:
        drop_pg_database(name)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    d = Database(db_url)
    yield d
    await d.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=str(tmp_path / "data"), demo=False,
                    secret_key="test-secret-" + uuid.uuid4().hex, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
