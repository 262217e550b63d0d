"""Public API of survey waves: the open ones, and one wave's questionnaire in one language."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.surveys import services
from survey_service.domain.surveys.schemas import SurveyQuestionnaire, SurveySummary
from survey_service.errors import BadRequest
from survey_service.languages import ordered
from survey_service.questionnaire.localize import localize


class SurveyController(Controller):
    path = "/api/v1/surveys"
    opt = {"access": "public"}  # noqa: RUF012 - Litestar reads it as a class attribute
    tags = ("surveys",)

    @get("/", summary="Open survey waves")
    async def list_open(self, read_session: NamedDependency[AsyncSession]) -> list[SurveySummary]:
        out = []
        for s in await services.open_surveys(read_session):
            q = definition_of(s.version)
            out.append(
                SurveySummary(
                    slug=s.slug,
                    title=s.title,
                    languages=ordered(q.languages),
                    year=s.year,
                    access=s.access,
                    questionnaire=q.slug,
                    questionnaire_version=s.version.number,
                )
            )
        return out

    @get("/{slug:str}", summary="A survey's questionnaire in one language")
    async def questionnaire(
        self,
        read_session: NamedDependency[AsyncSession],
        slug: FromPath[str],
        lang: Annotated[str | None, Parameter(description="Language code; default: the source language")] = None,
    ) -> SurveyQuestionnaire:
        survey = await services.get_survey(read_session, slug)
        q = definition_of(survey.version)
        language = lang or q.source_language
        if language not in q.languages:
            raise BadRequest(
                f"language {language!r} is not available for this survey; supported: {', '.join(ordered(q.languages))}"
            )
        return SurveyQuestionnaire(
            survey=survey.slug,
            questionnaire_version=survey.version.number,
            languages=ordered(q.languages),
            questionnaire=localize(q, language),
        )
