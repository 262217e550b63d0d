"""Engines and sessions: one ``Database`` per process, for SQLite (embedded) and PostgreSQL (production).

SQLite runs in WAL mode with full fsync; reads use ordinary (deferred) transactions while writes go
through a single writer connection that takes the write lock up front (``BEGIN IMMEDIATE``), so
concurrent writers queue instead of failing with "database is locked". The busy write paths share
transactions through group commit (``Database.batched``): one commit, one fsync, for many requests.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Executable, Row, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from survey_service.db.group_commit import Bulk, GroupCommitter

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_READERS = 4
T = TypeVar("T")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take over transaction control from the driver so that the "begin" hook decides the BEGIN kind.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=FULL",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    ):
        cursor.execute(pragma)
    cursor.close()


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only; SQLite gives its WAL and journal the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, *, writer: bool = False, pool_size: int = 10) -> AsyncEngine:
    """An async engine; SQLite engines get WAL pragmas and an explicit BEGIN (IMMEDIATE for the writer)."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        if sa_url.database and sa_url.database != ":memory:":
            _create_private(Path(sa_url.database))
        # aiosqlite runs each connection in a thread of its own: a few fixed reader connections serve many
        # requests better than a large, churning pool (new threads, contention for the GIL).
        engine = create_async_engine(
            sa_url,
            pool_size=1 if writer else SQLITE_READERS,
            max_overflow=0,
            pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        begin = "BEGIN IMMEDIATE" if writer else "BEGIN"
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql(begin))
        return engine
    return create_async_engine(sa_url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_sync_reader(url: str) -> Engine | None:
    """For a SQLite file: a plain (synchronous) engine for one-statement reads in worker threads."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite" or not sa_url.database or sa_url.database == ":memory:":
        return None
    engine = create_engine(
        sa_url.set(drivername="sqlite"),
        pool_size=SQLITE_READERS,
        max_overflow=0,
        pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Database:
    """The process's engines and session factories."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        self.engine = make_engine(url, pool_size=pool_size)
        self.writer = make_engine(url, writer=True) if self.is_sqlite else self.engine
        self._read = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write = async_sessionmaker(self.writer, expire_on_commit=False)
        self.committer = GroupCommitter(self._write)
        self.sync_reader = make_sync_reader(url)
        # Small per-process caches of what the busy paths read on every request (e.g. a wave's status and
        # compiled questionnaire). Any write() commit clears them, so this process never serves its own
        # stale data; other processes' changes are seen when an entry's time is up.
        self.cache: dict[Any, Any] = {}

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading (its transaction is rolled back at the end)."""
        async with self._read() as session:
            yield session

    async def first(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of a one-statement read (a statement alone reads one consistent snapshot).

        For the busiest reads. On SQLite it runs in a worker thread on a plain connection: one hand-over to
        the thread, where an async session takes several for every statement (each waiting its turn in a
        busy event loop)."""
        if self.sync_reader is None:
            async with self.engine.connect() as connection:
                return (await connection.execute(statement, params)).first()
        return await asyncio.to_thread(self._first, self.sync_reader, statement, params)

    @staticmethod
    def _first(engine: Engine, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        with engine.connect() as connection:
            return connection.execute(statement, params).first()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one write transaction: committed when the block ends, rolled back on error."""
        async with self._write() as session, session.begin():
            yield session
        self.cache.clear()

    async def batched(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in a shared write transaction with whatever else is waiting (group commit).

        Returns once that transaction has committed; an exception from ``work`` rolls back ``work`` alone.
        Use it for the busy write paths (submissions, page saves); ``write()`` for everything else.
        """
        return await self.committer.run(work)

    async def insert_batched(self, table: Table, values: dict[str, Any]) -> None:
        """Insert one row with group commit (many rows, one multi-row statement); returns once committed."""
        await self.committer.insert(table, values)

    async def update_batched(self, statement: Executable, params: dict[str, Any], bulk: Bulk | None = None) -> bool:
        """An idempotent one-row UPDATE with group commit (see ``GroupCommitter.update``); returns, once
        committed, whether it changed a row."""
        return await self.committer.update(statement, params, bulk)

    async def dispose(self) -> None:
        await self.committer.close()
        await self.engine.dispose()
        if self.sync_reader is not None:
            self.sync_reader.dispose()
        if self.writer is not self.engine:
            await self.writer.dispose()
