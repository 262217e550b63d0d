"""Exporting a wave: streamed CSV for HTTP, files for the command line and for the other formats."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.db.models import Survey
from survey_service.domain.audit.services import COMMAND_LINE, Actor, record
from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.surveys.services import get_survey
from survey_service.errors import BadRequest, Conflict
from survey_service.questionnaire.schema import Questionnaire
from survey_service.results import exports
from survey_service.results.data import StoredResponse, count_responses, iter_responses
from survey_service.results.ddi import codebook

PROGRESS_EVERY = 5000


def _table(q: Questionnaire, labels: str | None) -> exports.Table:
    try:
        return exports.Table(q, labels)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def check_released(survey: Survey, fmt: str) -> None:
    """Rows of an anonymous invitation wave leave the service only after its fieldwork: while it runs, an
    analyst who watched the per-stratum monitoring change between two exports would learn which stratum
    the one new row came from. After fieldwork no row is added; rows carry no dates and come in random order.
    """
    if fmt == "ddi" or survey.access != "invitation" or not survey.anonymous:
        return
    if survey.status == "open" and (survey.closes_at is None or utcnow() < survey.closes_at):
        raise Conflict(
            f"the responses of {survey.slug!r} can be exported once its fieldwork is over (close the wave first): "
            "in an anonymous invitation wave, exports during fieldwork could be compared with the monitoring"
        )


async def audit_export(db: Database, actor: Actor, slug: str, fmt: str, labels: str | None) -> None:
    """Response data leaving the service is an audit event (recorded before the data are sent)."""
    async with db.write() as session:
        await record(session, actor, "responses.export", slug, {"format": fmt, "labels": labels})


async def csv_stream(
    db: Database, slug: str, labels: str | None = None, actor: Actor = COMMAND_LINE
) -> AsyncIterator[bytes]:
    """The CSV export as chunks, read from the database while they are sent (no size limit)."""
    async with db.read() as session:
        survey = await get_survey(session, slug)
        check_released(survey, "csv")
        table = _table(definition_of(survey.version), labels)
    await audit_export(db, actor, slug, "csv", labels)
    return _csv_chunks(db, slug, table)


async def _csv_chunks(db: Database, slug: str, table: exports.Table) -> AsyncIterator[bytes]:
    async with db.read() as session:
        survey = await get_survey(session, slug)
        async for chunk in exports.csv_chunks(table, iter_responses(session, survey)):
            yield chunk


async def _counted(
    rows: AsyncIterator[StoredResponse], progress: Callable[[int], None]
) -> AsyncIterator[StoredResponse]:
    done = 0
    async for r in rows:
        yield r
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done)


async def export_to(
    db: Database,
    slug: str,
    fmt: str,
    output: Path,
    labels: str | None = None,
    progress: Callable[[int], None] | None = None,
    actor: Actor = COMMAND_LINE,
) -> int:
    """Write wave ``slug`` in ``fmt`` to ``output``; returns the number of responses. ``progress`` is
    told the number of responses written so far, now and then. The export is recorded in the audit log."""
    if fmt not in exports.FORMATS:
        raise BadRequest(f"format must be one of {', '.join(exports.FORMATS)}, not {fmt!r}")
    async with db.read() as session:
        survey = await get_survey(session, slug)
        check_released(survey, fmt)
        _table(definition_of(survey.version), labels)
    await audit_export(db, actor, slug, fmt, labels)
    async with db.read() as session:
        survey = await get_survey(session, slug)
        q = definition_of(survey.version)
        table = _table(q, labels)
        n = await count_responses(session, survey)
        rows = iter_responses(session, survey)
        if progress is not None:
            rows = _counted(rows, progress)
        if fmt == "csv":
            async with await anyio.open_file(output, "wb") as f:
                async for chunk in exports.csv_chunks(table, rows):
                    await f.write(chunk)
        elif fmt == "xlsx":
            await exports.write_xlsx(table, rows, output)
        elif fmt in ("sav", "dta"):
            await exports.write_labelled(table, rows, output, fmt)
        elif fmt == "parquet":
            await exports.write_parquet(table, rows, output)
        else:
            data_name = f"{slug}.csv"
            xml = codebook(q, survey=slug, title=survey.title, year=survey.year, n_responses=n, file_name=data_name)
            await anyio.Path(output).write_bytes(xml)
    return n


async def export_file(
    db: Database, slug: str, fmt: str, labels: str | None = None, actor: Actor = COMMAND_LINE
) -> Path:
    """The export written to a temporary file (for HTTP downloads of the formats that cannot stream)."""
    fd, name = tempfile.mkstemp(prefix=f"{slug}-", suffix=f".{exports.EXTENSIONS.get(fmt, 'bin')}")
    os.close(fd)
    path = Path(name)
    try:
        await export_to(db, slug, fmt, path, labels, actor=actor)
    except BaseException:
        os.unlink(name)
        raise
    return path
