"""The worker process: huey's consumer runs jobs in threads of this process, and a keeper thread
re-queues or fails jobs whose worker died and removes files past their time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

from survey_service.db.engine import Database
from survey_service.domain.jobs import services
from survey_service.jobs.queue import get_queue
from survey_service.jobs.runner import worker_name
from survey_service.settings import Settings

log = logging.getLogger("survey_service")


def run_worker(settings: Settings, threads: int = 1, nice: int = 10, parent: int | None = None) -> None:
    """Run jobs until SIGINT/SIGTERM (or until process ``parent`` ends); jobs still running then are put
    back on the queue."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # it reports every CSS property it skips
    if nice:
        # residents' requests come first: the web server keeps its priority, jobs take what is left
        with contextlib.suppress(OSError):
            os.nice(nice)
    scratch = _scratch(settings)
    consumer = get_queue(settings).huey.create_consumer(
        workers=threads, worker_type="thread", periodic=False, initial_delay=0.1, backoff=1.15, max_delay=1.0
    )
    stop = threading.Event()
    keeper = threading.Thread(target=lambda: asyncio.run(_keep(settings, stop, parent)), name="job-keeper", daemon=True)
    keeper.start()
    try:
        consumer.run()
    finally:
        stop.set()
        keeper.join(timeout=10)
        requeued = asyncio.run(_release(settings))
        if requeued:
            log.info("put %d running job(s) back on the queue", len(requeued))
        shutil.rmtree(scratch, ignore_errors=True)


def _scratch(settings: Settings) -> Path:
    """Temporary files of this worker's jobs (e.g. spreadsheets being written) in a private folder of
    its own, never in the shared /tmp; folders of workers no longer running are removed."""
    root = services.jobs_root(settings) / "tmp"
    root.mkdir(parents=True, mode=0o700, exist_ok=True)
    for folder in root.iterdir():
        pid = int(folder.name) if folder.name.isdigit() else 0
        if pid and not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
    mine = root / str(os.getpid())
    mine.mkdir(mode=0o700, exist_ok=True)
    tempfile.tempdir = str(mine)
    return mine


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _release(settings: Settings) -> list[object]:
    db = Database(settings.database_url, pool_size=1)
    try:
        return list(await services.release(db, settings, worker_name()))
    finally:
        await db.dispose()


async def _keep(settings: Settings, stop: threading.Event, parent: int | None) -> None:
    """Every few seconds: jobs of dead workers, and expired files; stop the worker when ``parent`` ends."""
    interval = max(1.0, min(2.0, settings.job_stale_seconds / 3))
    db = Database(settings.database_url, pool_size=1)
    try:
        while not stop.is_set():
            try:
                again, failed = await services.reap(db, settings)
                if again or failed:
                    log.warning("jobs of stopped workers: %d queued again, %d failed", again, failed)
                await services.expire(db, settings)
            except Exception:
                log.exception("the job keeper failed; trying again")
            if parent is not None and os.getppid() != parent:
                log.info("process %d has ended: stopping", parent)
                os.kill(os.getpid(), signal.SIGTERM)  # the consumer's own way to stop
                return
            await asyncio.to_thread(stop.wait, interval)
    finally:
        await db.dispose()
