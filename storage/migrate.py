"""Apply Alembic migrations from code (`linli db upgrade`, app start, tests)."""
from __future__ import annotations

import fcntl
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, make_url, text

from storage.db import is_sqlite, sync_url

MIGRATIONS = Path(__file__).parent / "migrations"
# Several workers starting at once must not run the same migration twice (PostgreSQL).
MIGRATION_LOCK_KEY = 0x4C494E4C49  # "LINLI"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    if is_sqlite(url):
        database = make_url(url).database
        if not database or database == ":memory:":
            command.upgrade(alembic_config(url), revision)
            return
        # A lock file beside the database: the first process migrates, the others then find it done.
        with open(f"{database}.migrate.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            command.upgrade(alembic_config(url), revision)
        return
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            try:
                command.upgrade(alembic_config(url), revision)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
    finally:
        engine.dispose()
