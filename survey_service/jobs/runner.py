"""Running one job in a worker: claim it, run its function with a heartbeat that records progress and
notices cancellation, and record the outcome. ``execute`` is the queue engine's task."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from survey_service.db.engine import Database
from survey_service.domain.jobs import services
from survey_service.errors import DomainError
from survey_service.jobs.context import JobContext
from survey_service.jobs.kinds import JOB_FUNCTIONS
from survey_service.settings import Settings, get_settings

log = logging.getLogger("survey_service")
HEARTBEAT_SECONDS = 1.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(job_id: str) -> None:
    """The queue's task: run job ``job_id`` in an event loop of its own (one database per job)."""
    asyncio.run(run_job(get_settings(), uuid.UUID(hex=job_id)))


async def run_job(settings: Settings, job_id: uuid.UUID, database: Database | None = None) -> str | None:
    """Run one queued job to its end; returns its final status (``None``: not ours to run)."""
    db = database or Database(settings.database_url, pool_size=2)
    try:
        job = await services.claim(db, job_id, worker_name())
        if job is None:
            return None
        ctx = JobContext(db, settings, job)
        work = asyncio.create_task(JOB_FUNCTIONS[job.kind](ctx))
        stop = threading.Event()
        loop = asyncio.get_running_loop()
        heart = threading.Thread(
            target=lambda: asyncio.run(_heartbeat(settings, ctx, lambda: loop.call_soon_threadsafe(work.cancel), stop)),
            name=f"heartbeat-{job_id}",
            daemon=True,
        )
        heart.start()
        try:
            message = await work
        except asyncio.CancelledError:
            await ctx.discard()
            await services.finish(db, settings, job_id, "cancelled", message="cancelled on request")
            return "cancelled"
        except DomainError as exc:
            await ctx.discard()
            details = "; ".join(f"{e.item}: {e.message}" for e in exc.errors[:20])
            await services.finish(
                db, settings, job_id, "failed", message=exc.detail + (f" ({details})" if details else "")
            )
            return "failed"
        except Exception:
            log.exception("job %s (%s) failed", job_id, job.kind)
            await ctx.discard()
            await services.finish(db, settings, job_id, "failed", message="the job failed because of an internal error")
            return "failed"
        finally:
            stop.set()
            await asyncio.to_thread(heart.join)
        await services.finish(
            db, settings, job_id, "done", message=message, file_name=ctx.file_name, rows=(ctx.rows_done, ctx.rows_total)
        )
        return "done"
    finally:
        if database is None:
            await db.dispose()


async def _heartbeat(settings: Settings, ctx: JobContext, cancel: Callable[[], object], stop: threading.Event) -> None:
    """Every second: write the progress (the worker is alive) and stop the work if it is being cancelled.

    A thread of its own with its own connection, so that a job busy computing (holding its event loop)
    still shows that its worker lives."""
    db = Database(settings.database_url, pool_size=1)
    try:
        while not await asyncio.to_thread(stop.wait, HEARTBEAT_SECONDS):
            try:
                status = await services.beat(db, ctx.job_id, ctx.rows_done, ctx.rows_total, ctx.step)
            except Exception as exc:  # e.g. SQLite's write lock held by a long import: try again
                log.warning("job %s: progress could not be recorded (%s)", ctx.job_id, type(exc).__name__)
                continue
            if status == "cancelling":
                cancel()
                return
    finally:
        await db.dispose()
