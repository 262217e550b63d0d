"""Staff pages of the annual results: plans and targets, margins, response imports, reports and exports.

The same services as the API and the command line; staff pages sign in with the session cookie, so the
downloads live under /staff/ too (the API takes bearer tokens only).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import anyio
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from litestar.response import File, Redirect, Response, Stream, Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.db.models import PopulationMargin, Survey
from survey_service.db.models import Response as ResponseRow
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.exports.controllers import export_download, pooled_download
from survey_service.domain.exports.services import POOLED_FORMATS
from survey_service.domain.imports.services import MODES, import_file
from survey_service.domain.plans import services as plans
from survey_service.domain.questionnaires.deps import download
from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.reports import services
from survey_service.domain.reports.controllers import report_file
from survey_service.domain.surveys.services import get_survey
from survey_service.domain.weighting.services import set_margins
from survey_service.errors import BadRequest, DomainError
from survey_service.results import exports
from survey_service.results.render import render_html
from survey_service.results.variables import variables
from survey_service.web.forms import (
    N_,
    Field,
    Form,
    FormRefused,
    form_fields,
    optional_year,
    page_errors,
    share,
    text,
    year,
)
from survey_service.web.i18n import current_language
from survey_service.web.i18n import gettext as _
from survey_service.web.staff import page
from survey_service.web.templating import STATIC_PATH

READ = {"access": "results:read"}
WRITE = {"access": "surveys:write"}
WEIGHTS = {"access": "weights:write"}
EXPORT = {"access": "exports:create"}
CSV = "text/csv; charset=utf-8"
NOTICES = {
    "plan": N_("The plan was saved."),
    "target": N_("The target was saved."),
    "margins": N_("The margins were checked and saved."),
    "import": N_("The responses were checked and imported."),
}
Lang = Annotated[str, Parameter(description="fi | sv | en")]


class Row(msgspec.Struct, frozen=True):
    slug: str
    year: int
    plan: str | None
    responses: int
    weighting: list[str]


async def _waves(session: AsyncSession) -> list[Row]:
    counts = dict(
        (
            await session.execute(
                select(ResponseRow.survey_id, func.count())
                .where(ResponseRow.status == "complete")
                .group_by(ResponseRow.survey_id)
            )
        ).all()
    )
    weighted: dict[Any, set[str]] = {}
    for survey_id, variable in await session.execute(select(PopulationMargin.survey_id, PopulationMargin.variable)):
        weighted.setdefault(survey_id, set()).add(variable)
    plan_slugs = {p.id: p.slug for p in await plans.list_plans(session)}
    rows = await session.scalars(select(Survey).order_by(Survey.year.desc(), Survey.slug))
    return [
        Row(
            s.slug,
            s.year,
            plan_slugs.get(s.plan_id) if s.plan_id else None,
            int(counts.get(s.id, 0)),
            sorted(weighted.get(s.id, set())),
        )
        for s in rows
    ]


NEW_PLAN = Form(
    (
        Field("slug", text, N_("Enter a short name for the plan, for example kaikkien-kouvola-2027."), "plan-slug"),
        Field("name", text, N_("Enter the name of the plan."), "plan-name"),
        Field("start_year", year, id="plan-start"),
        Field("end_year", year, id="plan-end"),
    )
)


def target_form(plan: str) -> Form:
    """A target of one plan's indicator (the form's ids carry the plan: each plan has its own form)."""
    return Form(
        (
            Field("item", text, N_("Choose an indicator."), f"item-{plan}"),
            Field("direction", text, id=f"direction-{plan}"),
            Field("value", share, id=f"value-{plan}"),
            Field("year", optional_year, id=f"year-{plan}"),
        )
    )


def _indicators(waves: list[Survey]) -> dict[str, str]:
    """The indicators a plan's targets can name (its latest wave's questionnaire), by their text in the page
    language: chosen from a list instead of typed as codes."""
    if not waves:
        return {}
    q = definition_of(waves[-1].version)
    language = current_language()
    return {v.code: v.short_label(language, q.source_language, 120) for v in variables(q) if v.indicator}


def _errors(exc: DomainError, field: str) -> list[tuple[str, str]]:
    """Problems as error-summary lines; row/column/line locations go into the text (they are not fields)."""
    if isinstance(exc, FormRefused):
        return page_errors(exc)
    if not exc.errors:
        return [(field, exc.detail)]
    return [(field, exc.detail)] + [("", f"{e.item}: {e.message}") for e in exc.errors]


async def _upload(request: Request[Any, Any, Any]) -> tuple[dict[str, str], UploadFile | None]:
    form = await request.form()
    upload = form.get("file")
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "_csrf_token"}
    return fields, upload if isinstance(upload, UploadFile) else None


class ResultsPages(Controller):
    path = "/staff/results"
    include_in_schema = False

    @get("/", opt=READ)
    async def index(
        self,
        request: Request[Any, Any, Any],
        read_session: NamedDependency[AsyncSession],
        done: Annotated[str | None, Parameter(description="what was just saved")] = None,
    ) -> Template:
        return await self._index(request, read_session, [], {}, notice=_(NOTICES[done]) if done in NOTICES else None)

    async def _index(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        errors: list[tuple[str, str]],
        values: dict[str, str],
        status_code: int = 200,
        notice: str | None = None,
    ) -> Template:
        plan_rows = []
        for p in await plans.list_plans(session):
            base = await plans.baseline_of(session, p)
            plan_rows.append(
                {
                    "slug": p.slug,
                    "name": p.name,
                    "years": f"{p.start_year}–{p.end_year}",
                    "waves": [w.slug for w in await plans.plan_waves(session, p)],
                    "baseline": base.slug if base else None,
                    "targets": await plans.targets_of(session, p),
                    "indicators": _indicators(await plans.plan_waves(session, p)),
                }
            )
        return page(
            request,
            "staff/results.html",
            title=_("Results"),
            plans=plan_rows,
            waves=await _waves(session),
            modes=MODES,
            formats=exports.FORMATS,
            pooled_formats=POOLED_FORMATS,
            errors=errors,
            values=values,
            notice=notice,
            status_code=status_code,
        )

    async def _refused(
        self, request: Request[Any, Any, Any], db: Database, exc: DomainError, field: str, values: dict[str, str]
    ) -> Template:
        async with db.read() as session:
            return await self._index(request, session, _errors(exc, field), values, int(exc.status))

    @post("/plans", opt=WRITE)
    async def create_plan(
        self, request: Request[Any, Any, Any], db: NamedDependency[Database], staff: NamedDependency[Staff]
    ) -> Response[Any]:
        fields = await form_fields(request)
        try:
            values = NEW_PLAN.read(fields)
            async with db.write() as session:
                await plans.create_plan(session, **values, actor=actor_of(staff))
        except DomainError as exc:
            return await self._refused(request, db, exc, "plan-slug", fields)
        return Redirect("/staff/results/?done=plan", status_code=303)

    @post("/plans/{plan:str}/waves", opt=WRITE)
    async def add_wave(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        plan: FromPath[str],
    ) -> Response[Any]:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                survey = fields.get("survey", "")
                await plans.add_wave(session, plan, survey, actor_of(staff))
                if fields.get("baseline") == "yes":
                    await plans.set_baseline(session, plan, survey, actor_of(staff))
        except DomainError as exc:
            return await self._refused(request, db, exc, f"wave-{plan}", fields)
        return Redirect("/staff/results/?done=plan", status_code=303)

    @post("/plans/{plan:str}/targets", opt=WEIGHTS)
    async def set_target(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        plan: FromPath[str],
    ) -> Response[Any]:
        fields = await form_fields(request)
        try:
            values = target_form(plan).read(fields)
            async with db.write() as session:
                await plans.set_target(session, plan, values.pop("item"), **values, actor=actor_of(staff))
        except DomainError as exc:
            return await self._refused(request, db, exc, f"item-{plan}", fields)
        return Redirect("/staff/results/?done=target", status_code=303)

    @post("/{slug:str}/margins", opt=WEIGHTS)
    async def margins(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
    ) -> Response[Any]:
        fields, upload = await _upload(request)
        try:
            if upload is None:
                raise BadRequest(_("Choose a margins file (columns variable, category, population)."))
            data = await upload.read()
            async with db.write() as session:
                await set_margins(session, slug, data, actor_of(staff))
        except DomainError as exc:
            return await self._refused(request, db, exc, f"margins-{slug}", fields)
        return Redirect("/staff/results/?done=margins", status_code=303)

    @post("/{slug:str}/imports", opt=WRITE)
    async def imports(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
    ) -> Response[Any]:
        fields, upload = await _upload(request)
        name = ""
        try:
            if upload is None:
                raise BadRequest(_("Choose a CSV or XLSX file of responses."))
            suffix = Path(upload.filename or "").suffix.lower()
            if suffix not in (".csv", ".xlsx", ".txt"):
                raise BadRequest(_("The file must be .csv or .xlsx."))
            fd, name = tempfile.mkstemp(suffix=suffix)
            with os.fdopen(fd, "wb") as f:
                f.write(await upload.read())
            await import_file(db, slug, Path(name), mode=fields.get("mode") or "import", actor=actor_of(staff))
        except DomainError as exc:
            return await self._refused(request, db, exc, f"import-{slug}", fields)
        finally:
            if name:
                os.unlink(name)
        return Redirect("/staff/results/?done=import", status_code=303)

    @get("/{slug:str}/report", opt=READ)
    async def report(
        self,
        read_session: NamedDependency[AsyncSession],
        slug: FromPath[str],
        format: Annotated[str, Parameter(description="html | pdf | json | csv")] = "html",
        lang: Lang = "fi",
    ) -> Response[Any]:
        if format not in ("html", "pdf", "json", "csv", "csv-fi"):
            raise BadRequest("format must be html, pdf, json, csv or csv-fi")
        inp = await services.report_input(read_session, slug, lang)
        report = await anyio.to_thread.run_sync(services.make_report, inp)
        if format == "html":
            css = f"{STATIC_PATH}/css/report.css"
            html = await anyio.to_thread.run_sync(lambda: render_html(report, inline_css=False, css_url=css))
            return Response(html, media_type="text/html; charset=utf-8")
        return await report_file(report, slug, lang, format)

    @get("/{slug:str}/codebook", opt=READ)
    async def codebook(self, read_session: NamedDependency[AsyncSession], slug: FromPath[str]) -> Response[bytes]:
        """The wave's codebook (variables, categories, codes, labels in every language) for typing margins."""
        survey = await get_survey(read_session, slug)
        return download(exports.codebook_csv(definition_of(survey.version)), f"{slug}-codebook.csv", CSV)

    @get("/{slug:str}/export", opt=EXPORT)
    async def export(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        format: Annotated[str, Parameter(description="csv | xlsx | sav | dta | parquet | ddi")] = "csv",
        labels: Annotated[str | None, Parameter(description="label language instead of codes")] = None,
    ) -> Stream | File:
        return await export_download(db, slug, format, labels, actor_of(staff))

    @get("/plans/{plan:str}/export", opt=EXPORT)
    async def pooled_export(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        plan: FromPath[str],
        format: Annotated[str, Parameter(description="csv | xlsx | sav | dta | parquet")] = "csv",
        labels: Annotated[str | None, Parameter(description="label language instead of codes")] = None,
    ) -> File:
        return await pooled_download(db, plan, format, labels, actor_of(staff))
