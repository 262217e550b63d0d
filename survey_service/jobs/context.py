"""What a job function gets: the database, settings, its parameters, a progress reporter and its folder."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import anyio

from survey_service.db.engine import Database
from survey_service.db.models import Job
from survey_service.domain.audit.services import Actor
from survey_service.domain.jobs import services
from survey_service.settings import Settings


class JobContext:
    def __init__(self, db: Database, settings: Settings, job: Job) -> None:
        self.db = db
        self.settings = settings
        self.job_id: uuid.UUID = job.id
        self.kind = job.kind
        self.params: dict[str, Any] = dict(job.params)
        self.actor = Actor(
            name=job.owner, channel=job.channel if job.channel in ("web", "api") else "cli", id=job.owner_id
        )
        self.rows_done = 0
        self.rows_total = job.rows_total
        self.step = "started"
        self.file_name: str | None = None
        self.folder = services.folder_of(settings, job.id)

    def progress(self, rows_done: int | None = None, rows_total: int | None = None, step: str | None = None) -> None:
        """Note progress; the heartbeat writes it down every second."""
        if rows_done is not None:
            self.rows_done = rows_done
        if rows_total is not None:
            self.rows_total = rows_total
        if step is not None:
            self.step = step

    def input(self, name: str) -> Path:
        return self.folder / name

    async def output(self, name: str) -> Path:
        """Where to write the job's file while it is being made (``.part``; ``keep`` renames it)."""
        await anyio.to_thread.run_sync(services.make_folder, self.settings, self.job_id)
        return self.folder / f"{name}.part"

    async def keep(self, part: Path) -> None:
        """The finished file: readable by the service's user only, under its final name."""
        final = part.with_name(part.name.removesuffix(".part"))
        await anyio.Path(part).chmod(0o600)
        await anyio.Path(part).rename(final)
        self.file_name = final.name

    async def discard(self) -> None:
        """Remove everything the job wrote (a cancelled or failed job leaves no partial file)."""
        await services.discard_outputs(self.settings, self.job_id)
