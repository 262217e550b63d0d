"""Jobs in the service's own table: queueing, who may see them, progress, cancellation, the outcome,
and the clean-up of jobs whose worker died and of files past their time."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.db.models import Job
from survey_service.domain.audit.services import Actor
from survey_service.domain.auth.schemas import Staff
from survey_service.errors import Conflict, Forbidden, NotFound
from survey_service.jobs.queue import get_queue
from survey_service.settings import Settings

log = logging.getLogger("survey_service")
ACTIVE = ("queued", "running", "cancelling")
FINISHED = ("cancelled", "done", "failed", "expired")
MAX_ATTEMPTS = 2
WORKER_DIED = "the worker running this job stopped; the job was not finished"


def jobs_root(settings: Settings) -> Path:
    return settings.var_dir / "jobs"


def folder_of(settings: Settings, job_id: uuid.UUID) -> Path:
    return jobs_root(settings) / job_id.hex


def make_folder(settings: Settings, job_id: uuid.UUID) -> Path:
    """The job's own folder (0700: its files hold response data)."""
    folder = folder_of(settings, job_id)
    folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    folder.chmod(0o700)
    return folder


@dataclass(frozen=True, slots=True)
class NewJob:
    kind: str
    params: dict[str, Any]
    rows_total: int | None = None
    step: str = "queued"
    inputs: dict[str, bytes] = field(default_factory=dict)  # files the job reads, kept in its folder


async def enqueue(db: Database, settings: Settings, actor: Actor, new: NewJob) -> Job:
    """Record a job and put it on the queue; the job's input files go into its folder first."""
    job_id = uuid.uuid4()
    if new.inputs:
        folder = await anyio.to_thread.run_sync(make_folder, settings, job_id)
        for name, data in new.inputs.items():
            await anyio.to_thread.run_sync(_write_private, folder / name, data)
    async with db.write() as session:
        job = Job(
            id=job_id,
            owner_id=actor.id,
            owner=actor.name,
            channel=actor.channel,
            kind=new.kind,
            params=new.params,
            status="queued",
            rows_done=0,
            rows_total=new.rows_total,
            step=new.step,
            attempts=0,
        )
        session.add(job)
    try:
        await anyio.to_thread.run_sync(get_queue(settings).put, job_id.hex)
    except Exception:
        log.exception("job %s could not be queued", job_id)
        await finish(
            db, settings, job_id, "failed", message="the job could not be queued; try again later", was=("queued",)
        )
        raise
    return job


def _write_private(path: Path, data: bytes) -> None:
    with open(path, "wb", opener=lambda p, flags: os.open(p, flags, 0o600)) as f:
        f.write(data)


MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/xml",
}


def media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def may_see(staff: Staff, job: Job) -> bool:
    """The requester and administrators may see a job and download its file; nobody else."""
    return job.owner_id == staff.id or staff.role == "admin"


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> Job:
    job = await session.get(Job, job_id)
    if job is None:
        raise NotFound("no such job")
    return job


async def job_for(session: AsyncSession, staff: Staff, job_id: uuid.UUID) -> Job:
    """The job, if ``staff`` may see it (403 otherwise: the requester or an administrator only)."""
    job = await get_job(session, job_id)
    if not may_see(staff, job):
        raise Forbidden("only the person who started this job, or an administrator, may use it")
    return job


async def list_jobs(session: AsyncSession, staff: Staff, limit: int = 200) -> list[Job]:
    """One's own jobs, newest first; administrators see everybody's."""
    stmt = select(Job).order_by(Job.created_at.desc()).limit(limit)
    if staff.role != "admin":
        stmt = stmt.where(Job.owner_id == staff.id)
    return list(await session.scalars(stmt))


async def cancel(db: Database, staff: Staff, job_id: uuid.UUID) -> Job:
    """A queued job is cancelled at once; a running one is asked to stop (its worker sees it within a
    second, removes what it has written and marks the job cancelled)."""
    async with db.write() as session:
        job = await job_for(session, staff, job_id)
        if job.status == "queued":
            job.status, job.step, job.finished_at = "cancelled", "cancelled", utcnow()
        elif job.status == "running":
            job.status = "cancelling"
        elif job.status != "cancelling":
            raise Conflict(f"the job is {job.status}; only queued or running jobs can be cancelled")
        return job


def file_of(settings: Settings, job: Job) -> Path:
    """The finished job's file (409 when there is none, or not yet)."""
    if job.status != "done" or not job.file_name:
        raise Conflict(f"the job is {job.status}; it has no file to download")
    path = folder_of(settings, job.id) / job.file_name
    if not path.is_file():
        raise NotFound("the job's file is no longer kept")
    return path


# -- the worker's side ----------------------------------------------------------------------------------


async def claim(db: Database, job_id: uuid.UUID, worker: str) -> Job | None:
    """Take a queued job (queued -> running); ``None`` if it was cancelled or another worker has it."""
    now = utcnow()
    async with db.write() as session:
        done = await session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", worker=worker, attempts=Job.attempts + 1, started_at=now, heartbeat_at=now)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return await session.get(Job, job_id)


async def beat(db: Database, job_id: uuid.UUID, rows_done: int, rows_total: int | None, step: str) -> str:
    """Record progress and that the worker is alive; returns the job's status (``cancelling`` = stop)."""
    async with db.write() as session:
        await session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_(("running", "cancelling")))
            .values(rows_done=rows_done, rows_total=rows_total, step=step[:100], heartbeat_at=utcnow())
        )
        status = await session.scalar(select(Job.status).where(Job.id == job_id))
    return str(status)


async def finish(
    db: Database,
    settings: Settings,
    job_id: uuid.UUID,
    status: str,
    *,
    message: str | None = None,
    file_name: str | None = None,
    was: tuple[str, ...] = ("running", "cancelling"),
    rows: tuple[int, int | None] | None = None,
) -> None:
    """Record a job's outcome: done (with its file, kept ``job_keep_days``), failed or cancelled."""
    now = utcnow()
    values: dict[str, Any] = {"status": status, "finished_at": now, "heartbeat_at": now, "message": message}
    if status == "done":
        values.update(step="done", file_name=file_name, expires_at=now + timedelta(days=settings.job_keep_days))
    else:
        values["step"] = status
    if rows is not None:
        values.update(rows_done=rows[0], rows_total=rows[1])
    async with db.write() as session:
        # a job put back on the queue meanwhile (its worker was stopped) is not this run's to finish
        await session.execute(update(Job).where(Job.id == job_id, Job.status.in_(was)).values(**values))


async def release(db: Database, settings: Settings, worker: str) -> list[uuid.UUID]:
    """A worker that stops on purpose puts its running jobs back on the queue (they start again)."""
    async with db.write() as session:
        ids = list(
            await session.scalars(select(Job.id).where(Job.worker == worker, Job.status.in_(("running", "cancelling"))))
        )
        for job_id in ids:
            await discard_outputs(settings, job_id)
        await session.execute(
            update(Job)
            .where(Job.id.in_(ids), Job.status == "running")
            .values(status="queued", step="queued again", attempts=Job.attempts - 1, worker=None)
        )
        await session.execute(
            update(Job)
            .where(Job.id.in_(ids), Job.status == "cancelling")
            .values(status="cancelled", step="cancelled", finished_at=utcnow())
        )
        requeue = list(await session.scalars(select(Job.id).where(Job.id.in_(ids), Job.status == "queued")))
    for job_id in requeue:
        await anyio.to_thread.run_sync(get_queue(settings).put, job_id.hex)
    return requeue


async def reap(db: Database, settings: Settings, now: datetime | None = None) -> tuple[int, int]:
    """Jobs whose worker has not been heard of for ``job_stale_seconds`` and is not a process alive on
    this machine (it died): queued again while they have attempts left, failed after that. Returns
    (queued again, failed)."""
    now = now or utcnow()
    limit = now - timedelta(seconds=settings.job_stale_seconds)
    again: list[uuid.UUID] = []
    failed = 0
    async with db.write() as session:
        stale = list(
            await session.scalars(
                select(Job).where(Job.status.in_(("running", "cancelling")), Job.heartbeat_at < limit)
            )
        )
        for job in stale:
            if _runs_here(job.worker):
                continue  # its heartbeat is late (e.g. waiting for SQLite's write lock), not dead
            await discard_outputs(settings, job.id)
            if job.status == "cancelling":
                job.status, job.step, job.finished_at = "cancelled", "cancelled", now
            elif job.attempts < MAX_ATTEMPTS:
                job.status, job.step, job.worker = "queued", "queued again", None
                again.append(job.id)
            else:
                job.status, job.step, job.finished_at, job.message = "failed", "failed", now, WORKER_DIED
                failed += 1
    for job_id in again:
        log.warning("job %s: its worker stopped; queued again", job_id)
        await anyio.to_thread.run_sync(get_queue(settings).put, job_id.hex)
    return len(again), failed


def _runs_here(worker: str | None) -> bool:
    """Whether ``worker`` ("host:pid") is a process alive on this machine."""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def expire(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """Remove the files of jobs past their time (and the folders of finished jobs without a file)."""
    now = now or utcnow()
    async with db.write() as session:
        old = list(await session.scalars(select(Job).where(Job.status == "done", Job.expires_at < now)))
        for job in old:
            job.status, job.step = "expired", "expired"
            await anyio.to_thread.run_sync(shutil.rmtree, folder_of(settings, job.id), True)
    return len(old)


async def discard_outputs(settings: Settings, job_id: uuid.UUID) -> None:
    """Remove what a job has written (not its input files, which a retry needs)."""
    folder = anyio.Path(folder_of(settings, job_id))
    if not await folder.is_dir():
        return
    async for path in folder.iterdir():
        if not path.name.startswith("input."):
            await path.unlink(missing_ok=True)
