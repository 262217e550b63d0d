"""Staff pages of survey waves: list, create, close and reopen."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.db.models import Plan
from survey_service.domain.auth.pages import form_errors, form_fields
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.questionnaires.services import list_questionnaires
from survey_service.domain.surveys import services
from survey_service.domain.surveys.controllers import create, wave
from survey_service.domain.surveys.schemas import WaveCreate
from survey_service.errors import BadRequest, DomainError, ItemError
from survey_service.web.staff import page


def _date(fields: dict[str, str], name: str) -> date | None:
    text = fields.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            f"{name}: enter a date as YYYY-MM-DD", [ItemError(name, "enter a date as YYYY-MM-DD")]
        ) from None


class WavePages(Controller):
    path = "/staff/surveys"
    include_in_schema = False

    @get("/", opt={"access": "surveys:read"})
    async def index(self, request: Request[Any, Any, Any], read_session: NamedDependency[AsyncSession]) -> Template:
        return await self._index(request, read_session, [], {})

    async def _index(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        errors: list[tuple[str, str]],
        values: dict[str, str],
        status_code: int = 200,
        **kw: Any,
    ) -> Template:
        waves = [await wave(session, s) for s in await services.all_surveys(session)]
        published = [
            f"{slug}@{v.number}"
            for slug, versions in await list_questionnaires(session)
            for v in reversed(versions)
            if v.status == "published"
        ]
        plans = list(await session.scalars(select(Plan.slug).order_by(Plan.slug)))
        return page(
            request,
            "staff/surveys.html",
            title="Survey waves",
            waves=waves,
            published=published,
            plans=plans,
            errors=errors,
            values=values,
            this_year=utcnow().year,
            status_code=status_code,
            **kw,
        )

    @post("/", opt={"access": "surveys:write"})
    async def create(
        self, request: Request[Any, Any, Any], db: NamedDependency[Database], staff: NamedDependency[Staff]
    ) -> Response[Any]:
        fields = await form_fields(request)
        try:
            try:
                data = msgspec.convert(
                    {
                        "slug": fields.get("slug", "").strip(),
                        "questionnaire": fields.get("questionnaire", ""),
                        "year": int(fields.get("year") or 0),
                        "plan": fields.get("plan") or None,
                        "access": fields.get("access") or "open",
                        "opens": _date(fields, "opens"),
                        "closes": _date(fields, "closes"),
                        "title": {
                            k.removeprefix("title-"): v for k, v in fields.items() if k.startswith("title-") and v
                        },
                    },
                    WaveCreate,
                )
            except (msgspec.ValidationError, ValueError) as exc:
                message = str(exc)
                field = message.partition("$.")[2].rstrip("`").split(".")[0] or "slug"
                raise BadRequest(message, [ItemError(field, message)]) from None
            async with db.write() as session:
                survey = await create(session, staff, data)
        except DomainError as exc:
            async with db.read() as session:
                return await self._index(request, session, form_errors(exc), fields, int(exc.status))
        return Redirect(f"/staff/surveys/?created={survey.slug}", status_code=303)

    @post("/{slug:str}/close", opt={"access": "surveys:write"})
    async def close(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str]
    ) -> Redirect:
        async with db.write() as session:
            await services.close_survey(session, actor_of(staff), slug)
        return Redirect("/staff/surveys/", status_code=303)

    @post("/{slug:str}/reopen", opt={"access": "surveys:write"})
    async def reopen(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
    ) -> Response[Any]:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                await services.reopen_survey(session, actor_of(staff), slug, _date(fields, "closes"))
        except DomainError as exc:
            async with db.read() as session:
                return await self._index(request, session, form_errors(exc), {}, int(exc.status))
        return Redirect("/staff/surveys/", status_code=303)
