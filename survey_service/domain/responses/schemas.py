"""API shapes of responses."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

# What an answer can be: a choice code or number, a text, a list of choice codes (multiple choice), or
# null (not answered). Anything deeper is refused while the request is decoded.
Scalar = int | float | str
AnswerValue = Scalar | list[int | str] | None
MAX_ANSWERS = 1000


class ResponseCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /api/v1/surveys/{slug}/responses``: one respondent's complete answers."""

    language: Annotated[str, Meta(min_length=2, max_length=35, description="Language the answers were given in")]
    answers: Annotated[
        dict[Annotated[str, Meta(max_length=64)], AnswerValue],
        Meta(
            max_length=MAX_ANSWERS,
            description="Variable code -> value: a choice code or number, a text, a list of choice codes, or null",
        ),
    ]
    token: Annotated[str, Meta(max_length=200, description="Invitation token (invitation surveys)")] | None = None


class ResponseCreated(msgspec.Struct, frozen=True):
    id: str
