"""Staff pages of survey waves: list, create, close and reopen."""

from __future__ import annotations

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
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.questionnaires.services import list_questionnaires
from survey_service.domain.surveys import services
from survey_service.domain.surveys.controllers import create, wave
from survey_service.domain.surveys.schemas import WaveCreate
from survey_service.errors import DomainError
from survey_service.web.forms import (
    N_,
    SLUG,
    Field,
    Form,
    FormRefused,
    day,
    form_fields,
    page_errors,
    slug_of,
    text,
    year,
)
from survey_service.web.i18n import current_language
from survey_service.web.i18n import gettext as _
from survey_service.web.staff import page

NEW_WAVE = Form(
    (
        Field("slug", text, required=N_("Enter a short name for the wave, for example kysely-2027.")),
        Field("questionnaire", text, required=N_("Choose the questionnaire version of the wave.")),
        Field("year", year),
        Field("plan", text),
        Field("access", text),
        Field("opens", day),
        Field("closes", day),
    )
)
REOPEN = Form((Field("closes", day),))
# The wave form's own messages, for when a service refuses a value in words meant for programs.
MESSAGES = {
    "slug": N_("Use lower-case letters a-z, digits and hyphens, for example kysely-2027."),
    "questionnaire": N_("Choose the questionnaire version of the wave."),
    "plan": N_("Choose a plan period from the list."),
    "closes": N_("The last day cannot be before the first day."),
}


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
            title=_("Survey waves"),
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
            values = NEW_WAVE.read(fields)
            if not SLUG.match(values["slug"]):
                # A name typed as a title becomes a short name, shown for confirmation instead of refused.
                suggested = slug_of(values["slug"])
                if SLUG.match(suggested):
                    return await self._confirm_slug(request, db, fields, suggested)
                raise FormRefused([("slug", _(MESSAGES["slug"]))])
            name = fields.get("name", "").strip()
            data = msgspec.convert(
                {
                    **values,
                    "plan": values["plan"] or None,
                    "access": values["access"] or "open",
                    "title": {current_language(): name} if name else {},
                },
                WaveCreate,
            )
            async with db.write() as session:
                survey = await create(session, staff, data)
        except (msgspec.ValidationError, ValueError) as exc:
            field = str(exc).partition("$.")[2].rstrip("`").split(".")[0] or "closes"
            return await self._refused(
                request, db, FormRefused([(field, _(MESSAGES.get(field, MESSAGES["slug"])))]), fields
            )
        except DomainError as exc:
            return await self._refused(request, db, exc, fields)
        return Redirect(f"/staff/surveys/?created={survey.slug}", status_code=303)

    async def _refused(
        self, request: Request[Any, Any, Any], db: Database, exc: DomainError, fields: dict[str, str]
    ) -> Template:
        async with db.read() as session:
            return await self._index(request, session, page_errors(exc, "slug", MESSAGES), fields, int(exc.status))

    async def _confirm_slug(
        self, request: Request[Any, Any, Any], db: Database, fields: dict[str, str], suggested: str
    ) -> Template:
        typed = fields["slug"].strip()
        values = {**fields, "slug": suggested, "name": fields.get("name") or typed}
        notice = _(
            "The short name in links will be %(slug)s (made from “%(typed)s”). Check it and press Create wave again."
        ) % {"slug": suggested, "typed": typed}
        async with db.read() as session:
            return await self._index(request, session, [], values, notice=notice, confirm_slug=True)

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
            closes = REOPEN.read(fields)["closes"]
            async with db.write() as session:
                await services.reopen_survey(session, actor_of(staff), slug, closes)
        except DomainError as exc:
            errors = [(f"closes-{slug}", message) for _field, message in page_errors(exc, "closes", MESSAGES)]
            async with db.read() as session:
                return await self._index(request, session, errors, {}, int(exc.status))
        return Redirect("/staff/surveys/", status_code=303)
