"""API shapes of responses."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta


class ResponseCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /api/v1/surveys/{slug}/responses``: one respondent's complete answers."""

    language: Annotated[str, Meta(min_length=2, max_length=35, description="Language the answers were given in")]
    answers: Annotated[dict[str, Any], Meta(description="Variable code -> value (choice code, number, text, list)")]
    token: Annotated[str, Meta(max_length=200, description="Invitation token (invitation surveys)")] | None = None


class ResponseCreated(msgspec.Struct, frozen=True):
    id: str
