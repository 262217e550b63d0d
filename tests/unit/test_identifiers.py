"""Slugs, user names and codes match as a whole: a trailing newline (which ``$`` lets through) is refused."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from survey_service.domain.auth.schemas import UserCreate
from survey_service.domain.invitations.services import STRATUM_COLUMN
from survey_service.domain.plans.schemas import PlanCreate
from survey_service.domain.questionnaires.pages import LANGUAGE_CODE
from survey_service.domain.surveys.schemas import WaveCreate

CASES: list[tuple[type[Any], dict[str, Any], str]] = [
    (WaveCreate, {"slug": "mini-2026", "questionnaire": "mini", "year": 2026}, "slug"),
    (WaveCreate, {"slug": "mini-2026", "questionnaire": "mini@1", "year": 2026}, "questionnaire"),
    (UserCreate, {"username": "anna", "role": "analyst", "password": "x" * 20}, "username"),
    (PlanCreate, {"slug": "plan-2026", "name": "Plan", "start_year": 2026, "end_year": 2027}, "slug"),
]


@pytest.mark.parametrize(("schema", "valid", "field"), CASES, ids=[f"{c[0].__name__}.{c[2]}" for c in CASES])
def test_a_trailing_newline_is_refused(schema: type[Any], valid: dict[str, Any], field: str) -> None:
    msgspec.convert(valid, schema)
    for bad in ("\n", "\r\n", " "):
        with pytest.raises(msgspec.ValidationError, match=field):
            msgspec.convert({**valid, field: valid[field] + bad}, schema)


def test_language_codes_and_stratum_columns_match_as_a_whole() -> None:
    assert LANGUAGE_CODE.match("fi") and not LANGUAGE_CODE.match("fi\n")
    assert STRATUM_COLUMN.match("area") and not STRATUM_COLUMN.match("area\n")
