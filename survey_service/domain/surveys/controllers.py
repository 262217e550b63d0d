"""API of survey waves: public (the open ones, one wave's questionnaire in one language) and staff
(every wave; create, close, reopen — bearer tokens only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.db.models import Plan, Survey
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.surveys import services
from survey_service.domain.surveys.schemas import SurveyQuestionnaire, SurveySummary, Wave, WaveCreate, WaveReopen
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


async def wave(session: AsyncSession, s: Survey) -> Wave:
    plan = (await session.scalars(select(Plan.slug).where(Plan.id == s.plan_id))).first() if s.plan_id else None
    slug = services.definition_of(s.version).slug
    return Wave(
        slug=s.slug,
        title=s.title,
        questionnaire=slug,
        questionnaire_version=s.version.number,
        year=s.year,
        plan=plan,
        access=s.access,
        status=s.status,
        open_now=s.is_open(utcnow()),
        opens=services.local_day(s.opens_at),
        closes=services.local_day(s.closes_at - timedelta(seconds=1)) if s.closes_at else None,
    )


async def create(session: AsyncSession, staff: Staff, data: WaveCreate) -> Survey:
    questionnaire, _, number = data.questionnaire.partition("@")
    return await services.create_wave(
        session,
        actor_of(staff),
        slug=data.slug,
        questionnaire=questionnaire,
        version=int(number) if number else None,
        year=data.year,
        plan=data.plan,
        access=data.access,
        opens=data.opens,
        closes=data.closes,
        titles=dict(data.title),
    )


class WaveController(Controller):
    path = "/api/v1/waves"
    tags = ("survey waves",)

    @get("/", summary="Every survey wave, open or closed", opt={"access": "surveys:read"})
    async def list_waves(self, read_session: NamedDependency[AsyncSession]) -> list[Wave]:
        return [await wave(read_session, s) for s in await services.all_surveys(read_session)]

    @get("/{slug:str}", summary="One survey wave", opt={"access": "surveys:read"})
    async def get_wave(self, read_session: NamedDependency[AsyncSession], slug: FromPath[str]) -> Wave:
        return await wave(read_session, await services.get_survey(read_session, slug))

    @post("/", summary="Create a survey wave of a published questionnaire version", opt={"access": "surveys:write"})
    async def create_wave(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], data: JSONBody[WaveCreate]
    ) -> Wave:
        async with db.write() as session:
            return await wave(session, await create(session, staff, data))

    @post("/{slug:str}/close", summary="Close a wave", opt={"access": "surveys:write"}, status_code=200)
    async def close(self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str]) -> Wave:
        async with db.write() as session:
            return await wave(session, await services.close_survey(session, actor_of(staff), slug))

    @post("/{slug:str}/reopen", summary="Reopen a wave", opt={"access": "surveys:write"}, status_code=200)
    async def reopen(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        data: JSONBody[WaveReopen],
    ) -> Wave:
        async with db.write() as session:
            return await wave(session, await services.reopen_survey(session, actor_of(staff), slug, data.closes))
