"""Alembic environment: runs with a synchronous driver on the configured URL."""
from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine, pool

from storage.db import sync_url
from storage.models import Base

config = context.config


def _url() -> str:
    x = context.get_x_argument(as_dictionary=True)
    url = x.get("url") or config.get_main_option("sqlalchemy.url") or os.environ.get("LINLI_DATABASE_URL")
    if not url:
        url = "sqlite+aiosqlite:///./linli.sqlite3"
    return sync_url(url).render_as_string(hide_password=False)


# Tables in the database but not in our models: APScheduler creates and owns its job store.
UNMANAGED_TABLES = frozenset({"apscheduler_jobs"})


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name in UNMANAGED_TABLES)


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True,
                      render_as_batch=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(conn) -> None:  # type: ignore[no-untyped-def]
    # Batch mode lets later migrations alter tables on SQLite.
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()
    conn.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
