"""Group commit: many concurrent writes, one transaction, one fsync, each answered after the commit.

Three kinds of writes are queued. A *unit of work* (``run``) is an async function of a session with logic of
its own (a conditional update, a check); a unit that fails — a used invitation, an idempotency conflict —
is rolled back alone. A *row* (``insert``) is a plain insert; the rows of a batch go to the database in one
multi-row statement per table. An *update* (``update``) is one idempotent UPDATE statement with its
parameters, answered with whether it changed a row; the updates of a batch with the same statement go to
the database in one executemany call where the driver reports how many rows that changed (SQLite), in
one statement that returns which of them changed a row where the caller gives one (``bulk``; PostgreSQL:
UPDATE … FROM (VALUES …) RETURNING), and one by one otherwise or when some of them matched nothing.
Callers of a batch are all in flight at once, so any order of their writes is a valid one: units run
first, then updates, then rows.

Writes rarely fail, so a batch first runs without savepoints (fewer round trips); only if something fails
is it rolled back and replayed with a savepoint around every write. Units must therefore be safe to run
twice in one batch (they are statements against the session only).

One writer task takes everything queued, runs it, commits once, and only then resolves each caller with
its result or its exception. Under load N commits (N fsyncs) become one; a lone request is not delayed,
because the writer starts a batch as soon as anything is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Executable, Table, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]
log = logging.getLogger("survey_service.db")


@dataclass(slots=True)
class _Row:
    table: Table
    values: dict[str, Any]


Bulk = Callable[[list[dict[str, Any]]], Executable]
"""Builds one statement for a list of an update's parameters, returning a row (its first column: the index
in the list) for every one of them that changed a row."""


@dataclass(slots=True)
class _Update:
    statement: Executable
    params: dict[str, Any]
    bulk: Bulk | None


_Item = tuple[Work | _Row | _Update, "asyncio.Future[Any]"]
_Outcome = tuple["asyncio.Future[Any]", Any, BaseException | None]


class _Replay(Exception):
    """A write of a batch run without savepoints failed: roll back and run the batch again, carefully."""


class GroupCommitter:
    """One writer task per process and event loop, batching writes into shared transactions."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], max_batch: int = 512) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Item] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.batches = 0
        self.units = 0

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in the next batch; returns its result once that batch has committed."""
        return await self._enqueue(work)

    async def insert(self, table: Table, values: dict[str, Any]) -> None:
        """Insert one row in the next batch; returns once that batch has committed."""
        await self._enqueue(_Row(table, values))

    async def update(self, statement: Executable, params: dict[str, Any], bulk: Bulk | None = None) -> bool:
        """Run an idempotent UPDATE (one row at most) in the next batch; returns, once that batch has
        committed, whether it changed a row."""
        return bool(await self._enqueue(_Update(statement, params, bulk)))

    def _enqueue(self, item: Work | _Row | _Update) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._queue = asyncio.Queue()
            self._loop = loop
            self._task = loop.create_task(self._writer(self._queue), name="group-commit-writer")
        assert self._queue is not None
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put_nowait((item, future))
        return future

    async def _writer(self, queue: asyncio.Queue[_Item]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            await self._commit(batch)

    async def _commit(self, batch: list[_Item]) -> None:
        pending = [(item, future) for item, future in batch if not future.done()]  # gone callers: nothing stored
        try:
            try:
                outcomes = await self._run(pending, careful=False)
            except _Replay:
                # Some write failed: the batch was rolled back whole; replay it with a savepoint around every
                # write, so that the failing ones are undone alone and the others still commit.
                outcomes = await self._run(pending, careful=True)
        except BaseException as exc:  # the commit itself failed (or shutdown): nothing in the batch is stored
            if not isinstance(exc, asyncio.CancelledError):
                log.error("group commit of %d writes failed", len(batch), exc_info=exc)
            failure = exc if isinstance(exc, Exception) else RuntimeError("the service is shutting down")
            for _, future in batch:
                if not future.done():
                    future.set_exception(failure)
            if not isinstance(exc, Exception):
                raise
            return
        self.batches += 1
        self.units += len(outcomes)
        for future, result, error in outcomes:
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    async def _run(self, batch: list[_Item], *, careful: bool) -> list[_Outcome]:
        """One transaction for the whole batch. Not careful (the usual case): no savepoints, and any failing
        write raises ``_Replay`` (rolling everything back). Careful: a savepoint around every write."""
        outcomes: list[_Outcome] = []
        async with self._sessions() as session, session.begin():
            rows: dict[Table, list[tuple[dict[str, Any], asyncio.Future[Any]]]] = {}
            updates: dict[tuple[Executable, Bulk | None], list[tuple[dict[str, Any], asyncio.Future[Any]]]] = {}
            for item, future in batch:
                if isinstance(item, _Row):
                    rows.setdefault(item.table, []).append((item.values, future))
                    continue
                if isinstance(item, _Update):
                    updates.setdefault((item.statement, item.bulk), []).append((item.params, future))
                    continue
                try:
                    if careful:
                        async with session.begin_nested():
                            result = await item(session)
                    else:
                        result = await item(session)
                except Exception as exc:  # this unit alone fails; the caller gets the error
                    if not careful:
                        raise _Replay from exc
                    outcomes.append((future, None, exc))
                else:
                    outcomes.append((future, result, None))
            for (statement, bulk), changes in updates.items():
                outcomes += await self._update_rows(session, statement, bulk, changes, careful=careful)
            for table, pending in rows.items():
                if careful:
                    outcomes += await self._insert_rows(session, table, pending)
                else:
                    try:
                        await session.execute(insert(table), [values for values, _ in pending])
                    except Exception as exc:
                        raise _Replay from exc
                    outcomes += [(future, None, None) for _, future in pending]
        return outcomes

    @staticmethod
    async def _update_rows(
        session: AsyncSession,
        statement: Executable,
        bulk: Bulk | None,
        pending: list[tuple[dict[str, Any], asyncio.Future[Any]]],
        *,
        careful: bool,
    ) -> list[_Outcome]:
        """All in one statement (or one executemany call when every one of them changes its row: the usual
        case); otherwise one by one (each in a savepoint when careful), which tells each whether it did."""
        if not careful and len(pending) > 1:
            try:
                if session.get_bind().dialect.supports_sane_multi_rowcount:
                    done = await session.execute(statement, [params for params, _ in pending])
                    if done.rowcount == len(pending):  # type: ignore[attr-defined]
                        return [(future, True, None) for _, future in pending]
                elif bulk is not None:
                    changed: set[int] = set((await session.execute(bulk([params for params, _ in pending]))).scalars())
                    return [(future, i in changed, None) for i, (_, future) in enumerate(pending)]
            except Exception as exc:
                raise _Replay from exc
        outcomes: list[_Outcome] = []
        for params, future in pending:
            try:
                if careful:
                    async with session.begin_nested():
                        done = await session.execute(statement, params)
                else:
                    done = await session.execute(statement, params)
            except Exception as exc:
                if not careful:
                    raise _Replay from exc
                outcomes.append((future, None, exc))
            else:
                outcomes.append((future, done.rowcount == 1, None))  # type: ignore[attr-defined]
        return outcomes

    @staticmethod
    async def _insert_rows(
        session: AsyncSession, table: Table, pending: list[tuple[dict[str, Any], asyncio.Future[Any]]]
    ) -> list[_Outcome]:
        """Row by row, each in a savepoint, so only the bad rows' callers see an error."""
        outcomes: list[_Outcome] = []
        for values, future in pending:
            try:
                async with session.begin_nested():
                    await session.execute(insert(table).values(values))
            except Exception as exc:
                outcomes.append((future, None, exc))
            else:
                outcomes.append((future, None, None))
        return outcomes

    async def close(self) -> None:
        """Stop the writer; work still queued fails (nothing of it was stored or acknowledged)."""
        task, queue, self._task = self._task, self._queue, None
        if task is None or task.done():
            return
        task.cancel()
        if self._loop is asyncio.get_running_loop():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        while queue is not None and not queue.empty():
            _, future = queue.get_nowait()
            if not future.done():
                future.set_exception(RuntimeError("the service is shutting down"))
