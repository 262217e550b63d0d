"""API of paper and interview entry (bearer tokens only): one respondent's answers per request."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.entries import services
from survey_service.domain.entries.schemas import EntryCreate, EntryCreated
from survey_service.domain.responses import services as responses
from survey_service.errors import Conflict, Unprocessable


@post(
    "/api/v1/waves/{slug:str}/entries",
    summary="Enter one paper or interview response",
    description=(
        "The body is that of POST /api/v1/surveys/{slug}/responses plus `mode` (paper or interview); invitation "
        "waves take the letter's `code` (or `token`), optionally. The answers are checked exactly as web answers "
        "(422 lists every problem; nothing is stored). A used invitation gives 409; a closed wave 409."
    ),
    tags=["entry"],
    status_code=201,
    opt={"access": "responses:enter"},
)
async def enter_response(
    db: NamedDependency[Database],
    staff: NamedDependency[Staff],
    slug: FromPath[str],
    data: JSONBody[EntryCreate],
    idempotency_key: Annotated[
        str | None,
        HeaderParameter(name="Idempotency-Key", description="A random key (e.g. a UUID) per entered response"),
    ] = None,
) -> EntryCreated:
    survey = await responses.survey_context(db, slug)
    if not services.accepts_entries(survey, utcnow()):
        raise Conflict(f"survey {slug!r} is closed (or not yet open): it takes no entries")
    problems = services.entry_problems(survey, language=data.language, mode=data.mode, code=data.code, token=data.token)
    result = survey.questionnaire.check(data.answers, require=True)
    if problems or not result.ok:
        raise Unprocessable("the entry is not valid; nothing was stored", [*problems, *result.errors])
    claim = None
    if idempotency_key is not None:
        claim = responses.IdempotencyClaim.of(idempotency_key, msgspec.json.encode(data, order="sorted"))
    submitted = await services.store_entry(
        db,
        survey,
        actor_of(staff),
        language=data.language,
        mode=data.mode,
        answers=result.answers,
        code=data.code,
        token=data.token,
        idempotency=claim,
    )
    return EntryCreated(id=str(submitted.id), mode=data.mode)
