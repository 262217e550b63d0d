"""Response API for apps and kiosks: one complete response per request, checked against the wave's version."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.domain.invitations.services import token_hash
from survey_service.domain.responses import services
from survey_service.domain.responses.deps import RateLimits
from survey_service.domain.responses.schemas import ResponseCreate, ResponseCreated
from survey_service.errors import Conflict, ItemError, Unprocessable


class ResponseController(Controller):
    path = "/api/v1/surveys/{slug:str}/responses"
    opt = {"access": "public"}  # noqa: RUF012 - Litestar reads it as a class attribute
    tags = ("responses",)

    @post(
        "/",
        status_code=201,
        summary="Submit one complete response",
        description=(
            "Answers are checked against the wave's questionnaire version (types, ranges, choice codes, "
            "required items, skip logic, unknown codes); on any error nothing is stored. Invitation "
            "surveys need the invitation token; a used token gives 409. A retry with the same "
            "Idempotency-Key and the same body returns the original 201 body; the same key with another "
            "body gives 422."
        ),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        rate_limits: NamedDependency[RateLimits],
        slug: FromPath[str],
        data: JSONBody[ResponseCreate],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(name="Idempotency-Key", description="A random key (e.g. a UUID) per response"),
        ] = None,
    ) -> ResponseCreated:
        async with db.read() as session:
            survey = await services.survey_context(session, slug)
        if not survey.is_open(utcnow()):
            raise Conflict(f"survey {slug!r} is not accepting answers")
        if data.language not in survey.questionnaire.definition.languages:
            raise Unprocessable(
                f"language {data.language!r} is not available for this survey",
                [ItemError("language", f"supported: {', '.join(survey.languages)}")],
            )
        if survey.access == "invitation" and not data.token:
            raise Unprocessable("this survey needs an invitation token", [ItemError("token", "required")])
        if survey.access == "open" and data.token:
            raise Unprocessable("this survey does not use invitations", [ItemError("token", "not used here")])
        result = survey.questionnaire.check(data.answers, require=True)
        if not result.ok:
            raise Unprocessable("the answers are not valid; nothing was stored", result.errors)
        claim = None
        if idempotency_key is not None:
            claim = services.IdempotencyClaim.of(idempotency_key, msgspec.json.encode(data, order="sorted"))
        if survey.access == "open":
            await rate_limits.new_response(request)
        submitted = await services.submit(
            db,
            survey,
            language=data.language,
            answers=result.answers,
            token_hash=token_hash(data.token) if data.token else None,
            idempotency=claim,
        )
        return ResponseCreated(id=str(submitted.id))
