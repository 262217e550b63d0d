"""Group commit: many concurrent units of work, one transaction, one fsync, each answered after the commit.

A unit of work is an async function of a session. ``GroupCommitter.run(work)`` queues it; one writer task
takes everything queued, runs each unit inside its own savepoint (so a unit that fails — a used token, an
idempotency conflict — is rolled back alone), commits once, and only then resolves each caller with its
result or its exception. Under load this turns N commits (N fsyncs) into one; a lone request is not
delayed (the writer starts a batch as soon as anything is queued).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

T = TypeVar("T")
Work = Callable[[AsyncSession], Awaitable[Any]]
log = logging.getLogger("survey_service.db")


class GroupCommitter:
    """One writer task per process and event loop, batching units of work into shared transactions."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], max_batch: int = 256) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Work, asyncio.Future[Any]]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.batches = 0
        self.units = 0

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in the next batch; returns its result once that batch has committed."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._queue = asyncio.Queue()
            self._loop = loop
            self._task = loop.create_task(self._writer(self._queue), name="group-commit-writer")
        assert self._queue is not None
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put_nowait((work, future))
        return await future

    async def _writer(self, queue: asyncio.Queue[tuple[Work, asyncio.Future[Any]]]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            async with self._sessions() as session, session.begin():
                for work, future in batch:
                    if future.done():  # the caller went away: nothing was acknowledged, nothing stored
                        continue
                    try:
                        async with session.begin_nested():
                            result = await work(session)
                    except Exception as exc:  # this unit alone is rolled back; the caller gets the error
                        outcomes.append((future, None, exc))
                    else:
                        outcomes.append((future, result, None))
        except BaseException as exc:  # the commit itself failed (or shutdown): nothing in the batch is stored
            if not isinstance(exc, asyncio.CancelledError):
                log.error("group commit of %d units failed", len(batch), exc_info=exc)
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
