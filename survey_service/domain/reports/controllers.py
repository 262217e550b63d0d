"""The report of a wave over the API: JSON (the stable result), HTML, PDF and the open-data result tables."""

from __future__ import annotations

from typing import Annotated

import anyio
import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from litestar.response import Response
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.domain.reports import services
from survey_service.errors import BadRequest
from survey_service.results.render import render_html
from survey_service.results.schema import Report

READ = {"access": "results:read"}
FORMATS = ("json", "html", "pdf", "csv", "csv-fi")
Lang = Annotated[str, Parameter(description="fi | sv | en")]


async def _report(session: AsyncSession, slug: str, lang: str) -> Report:
    inp = await services.report_input(session, slug, lang)
    return await anyio.to_thread.run_sync(services.make_report, inp)


async def report_file(report: Report, slug: str, lang: str, format: str) -> Response[bytes]:
    """The report as a file to download: pdf, json, or csv (its result tables; csv-fi: for Finnish Excel).
    Rendered in a thread, so that the event loop keeps serving; long reports belong in a job
    (``POST /api/v1/jobs/reports``)."""
    name = f"{slug}-report-{lang}-excel-fi.csv" if format == "csv-fi" else f"{slug}-report-{lang}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    body = await anyio.to_thread.run_sync(services.report_bytes, report, format)
    return Response(body, media_type=services.MEDIA_TYPES[format], headers=headers)


class ReportController(Controller):
    path = "/api/v1/surveys/{slug:str}/report"
    tags = ("reports",)

    @get("/", summary="The annual report of a wave (json, html, pdf; csv = result tables)", opt=READ)
    async def report(
        self,
        read_session: NamedDependency[AsyncSession],
        slug: FromPath[str],
        format: Annotated[str, Parameter(description="json | html | pdf | csv | csv-fi (Finnish Excel)")] = "json",
        lang: Lang = "fi",
    ) -> Response[bytes]:
        if format not in FORMATS:
            raise BadRequest(f"format must be one of {', '.join(FORMATS)}")
        report = await _report(read_session, slug, lang)
        if format == "json":
            return Response(msgspec.json.encode(report), media_type="application/json")
        if format == "html":
            html = await anyio.to_thread.run_sync(render_html, report)
            return Response(html.encode(), media_type="text/html; charset=utf-8")
        return await report_file(report, slug, lang, format)
