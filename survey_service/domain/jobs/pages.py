"""Staff pages of jobs: start a report or an export, follow its progress (the page refreshes itself
without JavaScript; with it, the bar moves live), cancel, and download the file."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File, Redirect, Response, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.db.models import Survey
from survey_service.domain.auth.pages import form_fields
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.jobs import services, starts
from survey_service.domain.jobs.controllers import download
from survey_service.domain.jobs.schemas import Job
from survey_service.domain.reports.services import REPORT_FORMATS, REPORT_LANGUAGES
from survey_service.errors import DomainError
from survey_service.results.exports import FORMATS
from survey_service.web.forms import N_
from survey_service.web.i18n import gettext as _
from survey_service.web.staff import page

SELF = {"access": "account:self"}
BASE = "/staff/jobs"
REFRESH_SECONDS = 2
KIND_LABELS = {
    "report": N_("Report"),
    "export": N_("Export of responses"),
    "response_import": N_("Import of responses"),
    "questionnaire_import": N_("Import of a questionnaire"),
    "translation_import": N_("Import of translations"),
    "letters": N_("Invitation letters"),
    "retention": N_("Retention run"),
}
STATUS_LABELS = {
    "queued": N_("Waiting"),
    "running": N_("Running"),
    "cancelling": N_("Stopping"),
    "cancelled": N_("Cancelled"),
    "done": N_("Done"),
    "failed": N_("Failed"),
    "expired": N_("Done (file removed)"),
}


async def _index(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    staff: Staff,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> Template:
    jobs = [Job.of(j, BASE) for j in await services.list_jobs(session, staff)]
    waves = list(await session.scalars(select(Survey.slug).order_by(Survey.year.desc(), Survey.slug)))
    active = any(j.status in services.ACTIVE for j in jobs)
    return page(
        request,
        "staff/jobs.html",
        title=_("Jobs"),
        status_code=status_code,
        jobs=jobs,
        waves=waves,
        errors=errors or [],
        report_formats=REPORT_FORMATS,
        report_languages=REPORT_LANGUAGES,
        export_formats=FORMATS,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        refresh=REFRESH_SECONDS if active else None,
    )


class JobPages(Controller):
    path = BASE
    include_in_schema = False

    @get("/", opt=SELF)
    async def index(
        self,
        request: Request[Any, Any, Any],
        read_session: NamedDependency[AsyncSession],
        staff: NamedDependency[Staff],
    ) -> Template:
        return await _index(request, read_session, staff)

    @post("/reports", opt={"access": "results:read"})
    async def start_report(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        state: State,
    ) -> Template | Redirect:
        form = await form_fields(request)
        try:
            job = await starts.report(
                db,
                state.settings,
                actor_of(staff),
                form.get("survey", ""),
                form.get("format", ""),
                form.get("lang", ""),
            )
        except DomainError as exc:
            return await self._refused(request, db, staff, "report-survey", exc)
        return Redirect(f"{BASE}/{job.id}", status_code=303)

    @post("/exports", opt={"access": "exports:create"})
    async def start_export(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        state: State,
    ) -> Template | Redirect:
        form = await form_fields(request)
        try:
            job = await starts.export(
                db, state.settings, actor_of(staff), form.get("survey", ""), form.get("format", ""), form.get("labels")
            )
        except DomainError as exc:
            return await self._refused(request, db, staff, "export-survey", exc)
        return Redirect(f"{BASE}/{job.id}", status_code=303)

    async def _refused(
        self, request: Request[Any, Any, Any], db: Database, staff: Staff, field: str, exc: DomainError
    ) -> Template:
        async with db.read() as session:
            return await _index(request, session, staff, [(field, exc.detail)], status_code=int(exc.status))

    @get("/{job_id:uuid}", opt=SELF)
    async def detail(
        self,
        request: Request[Any, Any, Any],
        read_session: NamedDependency[AsyncSession],
        staff: NamedDependency[Staff],
        job_id: FromPath[uuid.UUID],
    ) -> Template:
        job = Job.of(await services.job_for(read_session, staff, job_id), BASE)
        return page(
            request,
            "staff/job.html",
            title=_("Job"),
            job=job,
            kind_labels=KIND_LABELS,
            status_labels=STATUS_LABELS,
            refresh=REFRESH_SECONDS if job.status in services.ACTIVE else None,
        )

    @get("/{job_id:uuid}/status", opt=SELF)
    async def status(
        self, read_session: NamedDependency[AsyncSession], staff: NamedDependency[Staff], job_id: FromPath[uuid.UUID]
    ) -> Response[bytes]:
        """The job as JSON, for the page's live progress bar."""
        job = Job.of(await services.job_for(read_session, staff, job_id), BASE)
        return Response(msgspec.json.encode(job), media_type="application/json", headers={"Cache-Control": "no-store"})

    @post("/{job_id:uuid}/cancel", opt=SELF)
    async def cancel(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], job_id: FromPath[uuid.UUID]
    ) -> Redirect:
        await services.cancel(db, staff, job_id)
        return Redirect(f"{BASE}/{job_id}", status_code=303)

    @get("/{job_id:uuid}/file", opt=SELF)
    async def file(
        self,
        read_session: NamedDependency[AsyncSession],
        staff: NamedDependency[Staff],
        state: State,
        job_id: FromPath[uuid.UUID],
    ) -> File:
        job = await services.job_for(read_session, staff, job_id)
        return download(services.file_of(state.settings, job))
