"""The migrations create the schema from nothing, and agree with the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from storage.db import sync_url
from storage.migrate import upgrade
from storage.models import Base


def test_upgrade_head_on_empty_database_matches_models(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    engine = create_engine(sync_url(empty_db_url))
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(Base.metadata.tables) <= tables
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], diff
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    upgrade(empty_db_url)  # a second start must not fail


def test_workers_starting_together_migrate_once(empty_db_url: str) -> None:
    import subprocess
    import sys

    code = "import sys; from storage.migrate import upgrade; upgrade(sys.argv[1])"
    procs = [subprocess.Popen([sys.executable, "-c", code, empty_db_url], stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err  # none fails on a table another created meanwhile
