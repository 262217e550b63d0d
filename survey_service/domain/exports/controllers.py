"""Staff API of exports: one row per response (CSV streams; other formats are written to a temporary
file and sent), the codebook, and the DDI-Codebook metadata."""

from __future__ import annotations

import os
from typing import Annotated

from litestar import Controller, get
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from litestar.response import File, Response, Stream

from survey_service.db.engine import Database
from survey_service.domain.audit.services import Actor
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.exports import services
from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.surveys.services import get_survey
from survey_service.domain.weighting.services import get_margins
from survey_service.errors import BadRequest
from survey_service.results.exports import EXTENSIONS, FORMATS, MEDIA_TYPES, codebook_csv

ACCESS = {"access": "exports:create"}


async def export_download(
    db: Database, slug: str, format: str, labels: str | None, actor: Actor, free_text: bool = False
) -> Stream | File:
    """A wave's responses as a download: CSV streamed, the other formats written to a file first; free-text
    answers only when asked for."""
    if format not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}")
    filename = f"{slug}.{EXTENSIONS[format]}" if format != "ddi" else f"{slug}-ddi.xml"
    if format == "csv":
        chunks = await services.csv_stream(db, slug, labels or None, actor, free_text)
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return Stream(chunks, media_type=MEDIA_TYPES["csv"], headers=headers)
    path = await services.export_file(db, slug, format, labels or None, actor, free_text)
    return File(
        path=path, filename=filename, media_type=MEDIA_TYPES[format], background=BackgroundTask(os.unlink, path)
    )


async def pooled_download(db: Database, plan: str, format: str, labels: str | None, actor: Actor) -> File:
    """Every wave of a plan in one file, with the wave, its year and the final weight in each row."""
    if format not in services.POOLED_FORMATS:
        raise BadRequest(f"format of a pooled export must be one of {', '.join(services.POOLED_FORMATS)}")
    path = await services.export_file(db, plan, format, labels or None, actor, pooled=True)
    return File(
        path=path,
        filename=f"{plan}-pooled.{EXTENSIONS[format]}",
        media_type=MEDIA_TYPES[format],
        background=BackgroundTask(os.unlink, path),
    )


class ExportController(Controller):
    path = "/api/v1/surveys/{slug:str}/export"
    tags = ("exports",)

    @get("/", summary="Export responses: csv, xlsx, sav, dta, parquet or ddi", opt=ACCESS)
    async def export(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        format: Annotated[str, Parameter(description="csv | xlsx | sav | dta | parquet | ddi")] = "csv",
        labels: Annotated[str | None, Parameter(description="label language instead of codes")] = None,
        free_text: Annotated[bool, Parameter(description="include free-text answers (left out by default)")] = False,
    ) -> Stream | File:
        return await export_download(db, slug, format, labels, actor_of(staff), free_text)

    @get("/codebook.csv", summary="The codebook of the export: variables, values and labels", opt=ACCESS)
    async def codebook(self, db: NamedDependency[Database], slug: FromPath[str]) -> Response[bytes]:
        async with db.read() as session:
            survey = await get_survey(session, slug)
            weighted = bool(await get_margins(session, survey))
            body = codebook_csv(definition_of(survey.version), weighted)
        return Response(
            body,
            media_type=MEDIA_TYPES["csv"],
            headers={"Content-Disposition": f'attachment; filename="{slug}-codebook.csv"'},
        )


class PooledExportController(Controller):
    path = "/api/v1/plans/{slug:str}/export"
    tags = ("exports",)

    @get(
        "/",
        summary="Export the responses of every wave of a plan in one file: csv, xlsx, sav, dta or parquet",
        opt=ACCESS,
    )
    async def export(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        format: Annotated[str, Parameter(description="csv | xlsx | sav | dta | parquet")] = "csv",
        labels: Annotated[str | None, Parameter(description="label language instead of codes")] = None,
    ) -> File:
        return await pooled_download(db, slug, format, labels, actor_of(staff))
