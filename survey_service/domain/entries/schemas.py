"""API shapes of paper and interview entry."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from survey_service.domain.responses.schemas import MAX_ANSWERS, AnswerValue

Mode = Literal["paper", "interview"]


class EntryCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /api/v1/waves/{slug}/entries``: one respondent's answers from a paper form or an interview."""

    mode: Annotated[Mode, Meta(description="paper (a returned paper form) or interview")]
    language: Annotated[str, Meta(min_length=2, max_length=35, description="Language of the form or interview")]
    answers: Annotated[
        dict[Annotated[str, Meta(max_length=64)], AnswerValue],
        Meta(
            max_length=MAX_ANSWERS,
            description="Variable code -> value: a choice code or number, a text, a list of choice codes, or null",
        ),
    ]
    code: (
        Annotated[str, Meta(max_length=40, description="Invitation waves: the short code on the letter (optional)")]
        | None
    ) = None
    token: Annotated[str, Meta(max_length=200, description="Invitation waves: the link token (optional)")] | None = None

    def __post_init__(self) -> None:
        if self.code and self.token:
            raise ValueError("give the invitation's code or its token, not both")


class EntryCreated(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    mode: str
