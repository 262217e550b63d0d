"""API shapes of survey waves."""

from __future__ import annotations

import msgspec

from survey_service.questionnaire.localize import LocalQuestionnaire


class SurveySummary(msgspec.Struct, frozen=True, kw_only=True):
    """An open wave as listed by ``GET /api/v1/surveys``."""

    slug: str
    title: dict[str, str]
    languages: list[str]
    year: int
    access: str
    questionnaire: str
    questionnaire_version: int


class SurveyQuestionnaire(msgspec.Struct, frozen=True, kw_only=True):
    """One wave's questionnaire in one language (``GET /api/v1/surveys/{slug}?lang=xx``)."""

    survey: str
    questionnaire_version: int
    languages: list[str]
    questionnaire: LocalQuestionnaire
