"""Leader election: exactly one process runs the scheduler.

PostgreSQL: a session-level advisory lock held on a dedicated connection; if the process dies, its
session ends and PostgreSQL releases the lock. SQLite (one machine): an exclusive `flock` on a file
beside the database; the kernel releases it when the process dies.
"""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.config import Settings
from storage.db import async_url, is_sqlite, sync_url

log = logging.getLogger("linli.scheduler")

# One key per database: PostgreSQL scopes advisory locks to the current database, so separate
# installations on one server do not contend. The value spells "LINLISCH".
ADVISORY_LOCK_KEY = 0x4C494E4C49534348
# The lock's session is the fence: the server must notice a vanished leader (network gone, host
# down) and free the lock. These are per-session settings, applied where the server allows them.
_SESSION_SETTINGS = (
    "SET tcp_keepalives_idle = 10",
    "SET tcp_keepalives_interval = 5",
    "SET tcp_keepalives_count = 3",
    "SET idle_session_timeout = 0",  # a server-wide idle timeout would drop the lock
    "SET statement_timeout = '5s'",
)


class LeaderLock(Protocol):
    description: str

    async def acquire(self) -> bool:
        """Take the lock if free; never waits for it."""

    async def still_held(self) -> bool:
        """False when the lock may have been lost (connection gone, lock file replaced)."""

    async def release(self) -> None:
        """Give the lock up; safe to call when not held."""


class PgAdvisoryLock:
    def __init__(self, url: str, *, key: int = ADVISORY_LOCK_KEY, timeout: float = 5.0) -> None:
        self.key = key
        self.timeout = timeout
        self.engine: AsyncEngine = create_async_engine(
            async_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT",
            connect_args={"application_name": "linli-scheduler", "connect_timeout": int(timeout),
                          "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                          "keepalives_count": 3})
        self.description = f"PostgreSQL advisory lock {key} on {make_url(url).database}"
        self._conn: AsyncConnection | None = None
        self._held = False

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = await asyncio.wait_for(self.engine.connect(), self.timeout)
            for stmt in _SESSION_SETTINGS:
                try:
                    await conn.execute(text(stmt))
                except Exception:  # an older server or a managed one that forbids it
                    log.debug("scheduler lock session: %s not applied", stmt)
            self._conn = conn
        return self._conn

    async def acquire(self) -> bool:
        if self._held:
            return True
        try:
            # A standby keeps its connection between attempts instead of reconnecting each time.
            conn = await self._connection()
            got = await asyncio.wait_for(
                conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}), self.timeout)
        except BaseException:
            await self._discard()
            raise
        self._held = bool(got)
        return self._held

    async def still_held(self) -> bool:
        if not self._held or self._conn is None:
            return False
        try:
            # The lock lives exactly as long as this session: if the session answers, we hold it.
            await asyncio.wait_for(self._conn.scalar(text("SELECT 1")), self.timeout)
            return True
        except Exception:
            log.warning("scheduler lock connection lost", exc_info=True)
            await self._discard()
            return False

    async def release(self) -> None:
        if self._conn is not None and self._held:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key}),
                    self.timeout)
        await self._discard()
        await self.engine.dispose()

    async def _discard(self) -> None:
        # Closing the session is what frees the lock, whatever state the connection is in.
        self._held = False
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()
            with contextlib.suppress(Exception):
                await conn.close()


class FileLock:
    def __init__(self, path: Path, owner: str) -> None:
        self.path = path
        self.owner = owner
        self.description = f"lock file {path}"
        self._fd: int | None = None

    async def acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        if not await self.still_held():  # the file was replaced between open and flock
            await self.release()
            return False
        # For whoever looks: which process leads.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self.owner}\n".encode(), 0)
        return True

    async def still_held(self) -> bool:
        if self._fd is None:
            return False
        try:
            mine, current = os.fstat(self._fd), os.stat(self.path)
        except FileNotFoundError:
            return False
        # A deleted or replaced lock file could be locked afresh by another process.
        return (mine.st_dev, mine.st_ino) == (current.st_dev, current.st_ino)

    async def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def sqlite_file(url: str) -> str | None:
    """The SQLite database's file, or None when it lives in memory."""
    u = sync_url(url)
    db = u.database or ""
    if db.startswith("file:"):
        db = db[len("file:"):].split("?", 1)[0]
    if not db or db == ":memory:" or u.query.get("mode") == "memory":
        return None
    return db


def lock_file_path(settings: Settings) -> Path:
    """Beside the SQLite file; in the data dir when the database lives in memory."""
    db = sqlite_file(settings.database_url)
    if db is None:
        return Path(settings.data_dir) / "scheduler.lock"
    return Path(db + ".scheduler.lock")


def make_lock(settings: Settings, owner: str) -> LeaderLock:
    if is_sqlite(settings.database_url):
        return FileLock(lock_file_path(settings), owner)
    return PgAdvisoryLock(settings.database_url)
