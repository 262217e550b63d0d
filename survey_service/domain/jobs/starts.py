"""Starting a job of each kind: check what can be checked at once (the wave, the format), then queue it.
The same functions serve the API and the staff pages."""

from __future__ import annotations

from pathlib import Path

from survey_service.db.engine import Database
from survey_service.db.models import Job
from survey_service.domain.audit.services import Actor
from survey_service.domain.imports.services import MODES
from survey_service.domain.jobs.services import NewJob, enqueue
from survey_service.domain.reports.services import REPORT_FORMATS, REPORT_LANGUAGES
from survey_service.domain.surveys.services import get_survey
from survey_service.errors import BadRequest
from survey_service.results.data import count_responses
from survey_service.results.exports import FORMATS
from survey_service.results.imports import MAX_FILE_BYTES
from survey_service.settings import Settings

IMPORT_SUFFIXES = (".csv", ".xlsx", ".txt")


async def _responses(db: Database, slug: str) -> int:
    async with db.read() as session:
        return await count_responses(session, await get_survey(session, slug))


async def report(db: Database, settings: Settings, actor: Actor, slug: str, fmt: str, lang: str) -> Job:
    if fmt not in REPORT_FORMATS:
        raise BadRequest(f"format must be one of {', '.join(REPORT_FORMATS)}, not {fmt!r}")
    if lang not in REPORT_LANGUAGES:
        raise BadRequest(f"report language must be one of {', '.join(REPORT_LANGUAGES)}, not {lang!r}")
    total = await _responses(db, slug)
    params = {"survey": slug, "format": fmt, "lang": lang}
    return await enqueue(db, settings, actor, NewJob("report", params, rows_total=total))


async def export(db: Database, settings: Settings, actor: Actor, slug: str, fmt: str, labels: str | None) -> Job:
    if fmt not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    total = await _responses(db, slug)
    params = {"survey": slug, "format": fmt, "labels": labels or None}
    return await enqueue(db, settings, actor, NewJob("export", params, rows_total=total))


async def response_import(
    db: Database, settings: Settings, actor: Actor, slug: str, mode: str, filename: str, data: bytes
) -> Job:
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise BadRequest("the file must be .csv or .xlsx")
    if mode not in MODES:
        raise BadRequest(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if len(data) > MAX_FILE_BYTES:
        raise BadRequest(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    await _responses(db, slug)  # the wave exists
    params = {"survey": slug, "mode": mode, "suffix": suffix, "file": Path(filename).name[:200]}
    return await enqueue(db, settings, actor, NewJob("response_import", params, inputs={f"input{suffix}": data}))


async def retention(db: Database, settings: Settings, actor: Actor, dry_run: bool) -> Job:
    return await enqueue(db, settings, actor, NewJob("retention", {"dry_run": dry_run}))
