"""Storing an imported file of responses: all rows in one transaction, or none."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import today, utcnow
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


async def import_responses(
    session: AsyncSession, slug: str, path: Path, *, mode: str = "import", actor: Actor = COMMAND_LINE
) -> int:
    """Check every row of ``path`` and store them as complete responses of wave ``slug``.

    Any invalid row rejects the whole file (``Unprocessable`` with one error per row and column) and
    nothing is stored; the caller's transaction makes the insert all-or-nothing.
    """
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
    for start in range(0, len(values), INSERT_BATCH):
        await session.execute(insert(Response), values[start : start + INSERT_BATCH])
    await record(session, actor, "responses.import", slug, {"rows": len(values), "mode": mode, "file": path.name})
    return len(values)


def _closed(survey: Survey) -> bool:
    return survey.status == "closed" or (survey.closes_at is not None and utcnow() >= survey.closes_at)


async def _is_admin(session: AsyncSession, actor: Actor) -> bool:
    """An administrator, or the operator at the command line (who holds the database anyway)."""
    if actor.channel == "cli":
        return True
    user = await session.get(StaffUser, actor.id) if actor.id is not None else None
    return user is not None and user.role == "admin"
