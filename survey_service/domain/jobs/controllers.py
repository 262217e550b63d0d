"""Staff API of jobs: start a report, export, response import or retention run (202 with the job's URL),
then list, read, cancel and download. Only the requester and administrators see a job."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from litestar import Controller, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, MultipartBody, Parameter
from litestar.response import File, Response
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.jobs import services, starts
from survey_service.domain.jobs.schemas import ExportJobCreate, Job, ReportJobCreate, RetentionJobCreate
from survey_service.errors import BadRequest
from survey_service.results.imports import MAX_FILE_BYTES

SELF = {"access": "account:self"}
API = "/api/v1/jobs"


def accepted(job: Job) -> Response[Job]:
    """202 Accepted, the job's URL in Location: the work goes on in a worker."""
    return Response(job, status_code=202, headers={"Location": job.url})


class JobController(Controller):
    path = API
    tags = ("jobs",)

    @post(
        "/reports",
        summary="Compute a wave's report in the background (json, html, pdf, csv)",
        opt={"access": "results:read"},
        status_code=202,
    )
    async def report(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        state: State,
        data: JSONBody[ReportJobCreate],
    ) -> Response[Job]:
        row = await starts.report(db, state.settings, actor_of(staff), data.survey, data.format, data.lang)
        return accepted(Job.of(row))

    @post(
        "/exports",
        summary="Export a wave's responses in the background",
        opt={"access": "exports:create"},
        status_code=202,
    )
    async def export(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        state: State,
        data: JSONBody[ExportJobCreate],
    ) -> Response[Job]:
        row = await starts.export(db, state.settings, actor_of(staff), data.survey, data.format, data.labels)
        return accepted(Job.of(row))

    @post(
        "/imports",
        summary="Import responses from a CSV or XLSX file (multipart field 'file') in the background",
        opt={"access": "surveys:write"},
        request_max_body_size=MAX_FILE_BYTES,
        status_code=202,
    )
    async def response_import(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        state: State,
        data: MultipartBody[dict[str, UploadFile]],
        survey: Annotated[str, Parameter(description="the wave's slug")],
        mode: Annotated[str, Parameter(description="import | paper | interview | web")] = "import",
    ) -> Response[Job]:
        upload = data.get("file")
        if upload is None:
            raise BadRequest("send the file in the multipart field 'file'")
        row = await starts.response_import(
            db, state.settings, actor_of(staff), survey, mode, upload.filename or "", await upload.read()
        )
        return accepted(Job.of(row))

    @post(
        "/retention",
        summary="Apply the retention periods in the background",
        opt={"access": "data:retention"},
        status_code=202,
    )
    async def retention(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        state: State,
        data: JSONBody[RetentionJobCreate],
    ) -> Response[Job]:
        row = await starts.retention(db, state.settings, actor_of(staff), data.dry_run)
        return accepted(Job.of(row))

    @get("/", summary="One's own jobs, newest first (administrators: everybody's)", opt=SELF)
    async def list_jobs(self, read_session: NamedDependency[AsyncSession], staff: NamedDependency[Staff]) -> list[Job]:
        return [Job.of(j) for j in await services.list_jobs(read_session, staff)]

    @get("/{job_id:uuid}", summary="A job's status and progress", opt=SELF)
    async def read(
        self, read_session: NamedDependency[AsyncSession], staff: NamedDependency[Staff], job_id: FromPath[uuid.UUID]
    ) -> Job:
        return Job.of(await services.job_for(read_session, staff, job_id))

    @post("/{job_id:uuid}/cancel", summary="Cancel a queued or running job", opt=SELF, status_code=202)
    async def cancel(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], job_id: FromPath[uuid.UUID]
    ) -> Job:
        return Job.of(await services.cancel(db, staff, job_id))

    @get("/{job_id:uuid}/file", summary="The file of a finished job (the requester or an administrator)", opt=SELF)
    async def file(
        self,
        read_session: NamedDependency[AsyncSession],
        staff: NamedDependency[Staff],
        state: State,
        job_id: FromPath[uuid.UUID],
    ) -> File:
        job = await services.job_for(read_session, staff, job_id)
        path = services.file_of(state.settings, job)
        return download(path)


def download(path: Path) -> File:
    return File(path=path, filename=path.name, media_type=services.media_type(path.name))
