"""Exporting a wave or every wave of a plan (pooled): streamed CSV for HTTP, files for the command line
and for the other formats; every row carries its wave, year and final weight."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

import analysis
from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.db.models import Survey
from survey_service.domain.audit.services import COMMAND_LINE, Actor, record
from survey_service.domain.plans.services import get_plan, plan_waves
from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.surveys.services import get_survey
from survey_service.domain.weighting.services import get_margins
from survey_service.errors import BadRequest, Conflict, ItemError, Unprocessable
from survey_service.questionnaire.schema import Questionnaire
from survey_service.results import exports
from survey_service.results.data import WaveData, count_responses, iter_responses
from survey_service.results.ddi import codebook
from survey_service.results.margins import MarginError, check_against_sample
from survey_service.results.report import WaveInput, weight

PROGRESS_EVERY = 5000


def _table(q: Questionnaire, labels: str | None, weighted: bool = False, free_text: bool = False) -> exports.Table:
    try:
        return exports.Table(q, labels, weighted, free_text=free_text)
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


async def wave_rows(session: AsyncSession, survey: Survey) -> AsyncIterator[exports.ExportRow]:
    """The wave's complete responses with its slug, year and final weight.

    A wave with margins is read whole first, so that the weights are computed from exactly the rows that
    are exported — raked as in the report (``results.report.weight``), so weighted estimates from the
    export equal the report's. A wave without margins streams and has no weight.
    """
    margins = await get_margins(session, survey)
    if not margins:
        async for r in iter_responses(session, survey):
            yield exports.ExportRow(survey.slug, survey.year, None, r)
        return
    rows = [r async for r in iter_responses(session, survey)]
    data = WaveData.from_rows(definition_of(survey.version), rows)
    if not data.n:
        return
    try:
        check_against_sample(margins, {v: data.codes(v) for v in margins})
        weights = weight(WaveInput(survey.slug, survey.year, data, margins)).design.weights
    except MarginError as exc:
        raise Unprocessable(f"survey {survey.slug!r}: {exc.detail}; fix them with 'weights set'", exc.errors) from None
    except analysis.AnalysisError as exc:
        raise Unprocessable(
            f"the weights of {survey.slug!r} cannot be computed", [ItemError("weights", str(exc))]
        ) from None
    for r, w in zip(rows, weights.tolist(), strict=True):
        yield exports.ExportRow(survey.slug, survey.year, float(w), r)


async def _weighted(session: AsyncSession, surveys: list[Survey]) -> bool:
    return any([await get_margins(session, s) for s in surveys])


async def csv_stream(
    db: Database, slug: str, labels: str | None = None, actor: Actor = COMMAND_LINE, free_text: bool = False
) -> AsyncIterator[bytes]:
    """The CSV export as chunks, read from the database while they are sent (no size limit)."""
    async with db.read() as session:
        survey = await get_survey(session, slug)
        check_released(survey, "csv")
        table = _table(definition_of(survey.version), labels, await _weighted(session, [survey]), free_text)
    await audit_export(db, actor, slug, "csv", labels)
    return _csv_chunks(db, slug, table)


async def _csv_chunks(db: Database, slug: str, table: exports.Table) -> AsyncIterator[bytes]:
    async with db.read() as session:
        survey = await get_survey(session, slug)
        async for chunk in exports.csv_chunks(table, wave_rows(session, survey)):
            yield chunk


async def _counted(
    rows: AsyncIterator[exports.ExportRow], progress: Callable[[int], None]
) -> AsyncIterator[exports.ExportRow]:
    done = 0
    async for r in rows:
        yield r
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done)


async def _all_rows(session: AsyncSession, surveys: list[Survey]) -> AsyncIterator[exports.ExportRow]:
    for survey in surveys:
        async for row in wave_rows(session, survey):
            yield row


async def _write(table: exports.Table, fmt: str, rows: AsyncIterator[exports.ExportRow], output: Path) -> None:
    if fmt == "csv":
        async with await anyio.open_file(output, "wb") as f:
            async for chunk in exports.csv_chunks(table, rows):
                await f.write(chunk)
    elif fmt == "xlsx":
        await exports.write_xlsx(table, rows, output)
    elif fmt in ("sav", "dta"):
        await exports.write_labelled(table, rows, output, fmt)
    else:
        await exports.write_parquet(table, rows, output)


async def export_to(
    db: Database,
    slug: str,
    fmt: str,
    output: Path,
    labels: str | None = None,
    progress: Callable[[int], None] | None = None,
    actor: Actor = COMMAND_LINE,
    free_text: bool = False,
) -> int:
    """Write wave ``slug`` in ``fmt`` to ``output``; returns the number of responses. ``progress`` is
    told the number of responses written so far, now and then. The export is recorded in the audit log.
    Free-text answers are left out unless ``free_text``."""
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
        n = await count_responses(session, survey)
        weighted = await _weighted(session, [survey])
        if fmt == "ddi":
            xml = codebook(
                q,
                survey=slug,
                title=survey.title,
                year=survey.year,
                n_responses=n,
                file_name=f"{slug}.csv",
                weighted=weighted,
            )
            await anyio.Path(output).write_bytes(xml)
            return n
        table = _table(q, labels, weighted, free_text)
        rows = wave_rows(session, survey)
        if progress is not None:
            rows = _counted(rows, progress)
        await _write(table, fmt, rows, output)
    return n


POOLED_FORMATS = ("csv", "xlsx", "sav", "dta", "parquet")


async def export_plan_to(
    db: Database,
    plan_slug: str,
    fmt: str,
    output: Path,
    labels: str | None = None,
    actor: Actor = COMMAND_LINE,
) -> int:
    """Every wave of plan ``plan_slug`` in one file, oldest wave first, with the ``wave`` and ``year``
    variables and each wave's final weight; returns the number of responses.

    The variables are those of the newest wave's questionnaire (answers to questions an earlier
    version did not ask are empty). The export is recorded in the audit log once per wave."""
    if fmt not in POOLED_FORMATS:
        raise BadRequest(f"format of a pooled export must be one of {', '.join(POOLED_FORMATS)}, not {fmt!r}")
    async with db.read() as session:
        plan = await get_plan(session, plan_slug)
        waves = await plan_waves(session, plan)
        if not waves:
            raise BadRequest(f"plan {plan_slug!r} has no waves")
        for wave in waves:
            check_released(wave, fmt)
        _table(definition_of(waves[-1].version), labels)
    for wave in waves:
        await audit_export(db, actor, wave.slug, f"{fmt} (pooled: {plan_slug})", labels)
    async with db.read() as session:
        plan = await get_plan(session, plan_slug)
        waves = await plan_waves(session, plan)
        table = _table(definition_of(waves[-1].version), labels, await _weighted(session, waves))
        n = sum([await count_responses(session, w) for w in waves])
        await _write(table, fmt, _all_rows(session, waves), output)
    return n


async def export_file(
    db: Database,
    slug: str,
    fmt: str,
    labels: str | None = None,
    actor: Actor = COMMAND_LINE,
    free_text: bool = False,
    pooled: bool = False,
) -> Path:
    """The export written to a temporary file (for HTTP downloads of the formats that cannot stream);
    ``pooled``: ``slug`` is a plan, and the file holds all of its waves."""
    fd, name = tempfile.mkstemp(prefix=f"{slug}-", suffix=f".{exports.EXTENSIONS.get(fmt, 'bin')}")
    os.close(fd)
    path = Path(name)
    try:
        if pooled:
            await export_plan_to(db, slug, fmt, path, labels, actor=actor)
        else:
            await export_to(db, slug, fmt, path, labels, actor=actor, free_text=free_text)
    except BaseException:
        os.unlink(name)
        raise
    return path
