"""Storing an imported file of responses: all rows in one transaction, or none."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import today, utcnow
from survey_service.db.engine import Database
from survey_service.db.models import Response, StaffUser, Survey
from survey_service.domain.audit.services import COMMAND_LINE, Actor, record
from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.surveys.services import get_survey
from survey_service.errors import BadRequest, Forbidden, ItemError, Unprocessable
from survey_service.languages import ordered
from survey_service.questionnaire.answers import compiled
from survey_service.results.imports import ImportRejected, check_rows, read_table

# Imported rows are never labelled "web": that mode means a resident answered on the service itself.
MODES = ("import", "paper", "interview")
INSERT_BATCH = 2000
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class CheckedImport:
    """A whole file of responses, parsed and checked: only inserting is left."""

    slug: str
    file_name: str
    mode: str
    values: list[dict[str, Any]]


async def check_import(
    session: AsyncSession, slug: str, path: Path, *, actor: Actor, mode: str = "import"
) -> CheckedImport:
    """Parse and check every row of ``path`` for wave ``slug`` (a read session: no write lock is held).

    Any invalid row rejects the whole file (``Unprocessable`` with one error per row and column)."""
    if mode not in MODES:
        raise BadRequest(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    survey = await get_survey(session, slug)
    if _closed(survey) and not await _is_admin(session, actor):
        raise Forbidden(
            f"wave {slug!r} is closed: only an administrator can add responses to it", [ItemError("survey", "closed")]
        )
    version = survey.version
    q = definition_of(version)
    checker = compiled(version.content_hash, version.definition)
    try:
        rows = check_rows(checker, ordered(q.languages), q.source_language, read_table(path))
    except ImportRejected as exc:
        raise Unprocessable(exc.detail, exc.errors) from None
    day = today()
    values = [
        {
            "survey_id": survey.id,
            "questionnaire_version_id": version.id,
            "language": row.language,
            "mode": mode,
            "status": "complete",
            "answers": row.answers,
            "started_on": day,
            "submitted_on": day,
        }
        for row in rows
    ]
    return CheckedImport(slug, path.name, mode, values)


async def store_import(
    session: AsyncSession, checked: CheckedImport, actor: Actor = COMMAND_LINE, progress: Progress | None = None
) -> int:
    """Insert checked rows in the caller's write transaction (all or none); ``progress`` hears rows done."""
    values = checked.values
    for start in range(0, len(values), INSERT_BATCH):
        await session.execute(insert(Response), values[start : start + INSERT_BATCH])
        if progress is not None:
            progress(min(start + INSERT_BATCH, len(values)))
    detail = {"rows": len(values), "mode": checked.mode, "file": checked.file_name}
    await record(session, actor, "responses.import", checked.slug, detail)
    return len(values)


async def import_file(
    db: Database,
    slug: str,
    path: Path,
    *,
    mode: str = "import",
    actor: Actor = COMMAND_LINE,
    progress: Progress | None = None,
) -> int:
    """Check the whole file with a read session, then insert it in one short write transaction: the writer
    (on SQLite, the one write lock) is held only while rows are inserted."""
    async with db.read() as session:
        checked = await check_import(session, slug, path, mode=mode, actor=actor)
    async with db.write() as session:
        return await store_import(session, checked, actor, progress)


async def import_in_batches(
    db: Database, checked: CheckedImport, ledger: Path, actor: Actor = COMMAND_LINE, progress: Progress | None = None
) -> int:
    """Insert checked rows in short transactions of ``INSERT_BATCH`` rows, so that other writers (residents'
    answers) take turns with a large import instead of waiting for all of it — for imports run as jobs.

    All or nothing still holds for the outcome: the ids of inserted rows are appended to ``ledger`` before
    each batch, and an import that stops (error, cancellation) deletes them; a new attempt after a worker
    died first deletes what the ledger lists. While an import runs, readers may see part of it."""
    await undo_batches(db, ledger)
    values = [{**row, "id": uuid.uuid4()} for row in checked.values]
    done = 0
    try:
        for start in range(0, len(values), INSERT_BATCH):
            batch = values[start : start + INSERT_BATCH]
            await anyio.to_thread.run_sync(_append_ids, ledger, [str(row["id"]) for row in batch])
            async with db.write() as session:
                await session.execute(insert(Response), batch)
            done += len(batch)
            if progress is not None:
                progress(done)
        async with db.write() as session:
            detail = {"rows": len(values), "mode": checked.mode, "file": checked.file_name}
            await record(session, actor, "responses.import", checked.slug, detail)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await undo_batches(db, ledger)
        raise
    await anyio.Path(ledger).unlink(missing_ok=True)
    return len(values)


def _append_ids(ledger: Path, ids: list[str]) -> None:
    with open(ledger, "a", opener=lambda p, flags: os.open(p, flags, 0o600)) as f:
        f.write("\n".join(ids) + "\n")
        f.flush()
        os.fsync(f.fileno())


async def undo_batches(db: Database, ledger: Path) -> int:
    """Delete the rows an unfinished batched import inserted (listed in ``ledger``); returns how many."""
    if not await anyio.Path(ledger).is_file():
        return 0
    ids = [uuid.UUID(line) for line in (await anyio.Path(ledger).read_text()).split() if line]
    for start in range(0, len(ids), INSERT_BATCH):
        async with db.write() as session:
            await session.execute(delete(Response).where(Response.id.in_(ids[start : start + INSERT_BATCH])))
    await anyio.Path(ledger).unlink(missing_ok=True)
    return len(ids)


async def import_responses(
    session: AsyncSession, slug: str, path: Path, *, mode: str = "import", actor: Actor = COMMAND_LINE
) -> int:
    """Check every row of ``path`` and store them as complete responses of wave ``slug``, in ``session``'s
    transaction (callers that can use ``import_file``, which checks before the write transaction opens)."""
    return await store_import(session, await check_import(session, slug, path, mode=mode, actor=actor), actor)


def _closed(survey: Survey) -> bool:
    return survey.status == "closed" or (survey.closes_at is not None and utcnow() >= survey.closes_at)


async def _is_admin(session: AsyncSession, actor: Actor) -> bool:
    """An administrator, or the operator at the command line (who holds the database anyway)."""
    if actor.channel == "cli":
        return True
    user = await session.get(StaffUser, actor.id) if actor.id is not None else None
    return user is not None and user.role == "admin"
