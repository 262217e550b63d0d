"""API shapes of survey waves."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from survey_service.questionnaire.localize import LocalQuestionnaire
from survey_service.questionnaire.schema import LanguageCode, Slug


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


class Wave(msgspec.Struct, frozen=True, kw_only=True):
    """A survey wave as staff see it (``GET /api/v1/waves``)."""

    slug: str
    title: dict[str, str]
    questionnaire: str
    questionnaire_version: int
    year: int
    plan: str | None
    access: str
    status: str
    open_now: bool
    opens: date | None
    closes: date | None


class WaveCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new wave: ``questionnaire`` is ``SLUG`` (latest published version) or ``SLUG@VERSION``."""

    slug: Slug
    questionnaire: Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,62}(@[1-9][0-9]*)?\Z")]
    year: Annotated[int, Meta(ge=2000, le=2100)]
    plan: Slug | None = None
    access: Literal["open", "invitation"] = "open"
    opens: date | None = None
    closes: date | None = None
    title: dict[LanguageCode, Annotated[str, Meta(min_length=1, max_length=200)]] = {}

    def __post_init__(self) -> None:
        if self.opens and self.closes and self.closes < self.opens:
            raise ValueError("closes must not be before opens")


class WaveReopen(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    closes: date | None = None
