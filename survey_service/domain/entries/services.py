"""Entering paper and interview responses: the same answer check as the web, stored by ``responses.submit``.

A wave takes entries while staff have not closed it — also after its last day, because paper forms
posted in time arrive later; closing the wave ends entry. In invitation waves the code (or token) of the
respondent's invitation is optional: given, it marks that invitation answered, once, exactly as a web
answer would; in anonymous waves nothing links the stored response to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from survey_service.db.engine import Database
from survey_service.db.models import Survey
from survey_service.domain.audit.services import Actor
from survey_service.domain.invitations.services import find_invitation, normalise_code, token_hash
from survey_service.domain.responses import services as responses
from survey_service.errors import Conflict, DomainError, ItemError, Unprocessable
from survey_service.questionnaire.answers import CheckResult

MODES = ("paper", "interview")


def accepts_entries(survey: responses.SurveyContext | Survey, now: datetime) -> bool:
    """Open (not closed by staff) and past its first day; the last day does not stop paper entry."""
    return survey.status == "open" and (survey.opens_at is None or now >= survey.opens_at)


def entry_problems(
    survey: responses.SurveyContext, *, language: str, mode: str, code: str | None, token: str | None
) -> list[ItemError]:
    """What is wrong with an entry besides its answers: mode, language, invitation fields."""
    problems = []
    if mode not in MODES:
        problems.append(ItemError("mode", "choose paper or interview"))
    if language not in survey.questionnaire.definition.languages:
        problems.append(ItemError("language", f"not a language of this questionnaire ({', '.join(survey.languages)})"))
    if survey.access == "open" and (code or token):
        problems.append(ItemError("code", "this wave does not use invitations"))
    elif code is not None and code.strip() and not normalise_code(code):
        problems.append(ItemError("code", "type the code as on the letter, e.g. ABCD-EFGH-JKMN"))
    return problems


def check_text(survey: responses.SurveyContext, raw: Mapping[str, str | list[str]]) -> CheckResult:
    """Form fields as typed by staff -> the answers the web would keep, and every problem (parse and check)."""
    cq = survey.questionnaire
    parsed = cq.parse_text(raw)
    checked = cq.check(parsed.answers, require=True)
    failed = {e.item for e in parsed.errors}
    # An unparseable field is missing for the check: report the parse error, not "an answer is required".
    errors = [*parsed.errors, *(e for e in checked.errors if e.item not in failed)]
    return CheckResult(checked.answers, errors)


async def store_entry(
    db: Database,
    survey: responses.SurveyContext,
    actor: Actor,
    *,
    language: str,
    mode: str,
    answers: dict[str, Any],
    code: str | None = None,
    token: str | None = None,
    idempotency: responses.IdempotencyClaim | None = None,
) -> responses.Submitted:
    """Store answers that passed ``check(require=True)``; marks the invitation (if given) completed, once."""
    item = "token" if token else "code"
    invitation_id = None
    if code and code.strip():
        async with db.read() as session:
            found = await find_invitation(session, survey.id, code=code)
        if found is None:
            raise Unprocessable(
                "no invitation of this wave has this code; nothing was stored",
                [ItemError("code", "no invitation of this wave has this code")],
            )
        invitation_id = found.id
    try:
        return await responses.submit(
            db,
            survey,
            language=language,
            answers=answers,
            token_hash=token_hash(token) if token else None,
            invitation_id=invitation_id,
            idempotency=idempotency,
            mode=mode,
            entered_by=actor,
        )
    except Conflict as exc:
        raise Conflict(
            "this invitation has already been used to answer; nothing was stored",
            [ItemError(item, "already used")],
        ) from exc
    except DomainError as exc:
        if exc.errors and exc.errors[0].item == "token":  # an unknown token
            raise Unprocessable(
                "no invitation of this wave has this token; nothing was stored", [ItemError(item, "not valid")]
            ) from exc
        raise
