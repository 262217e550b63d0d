"""Staff API of a wave's population margins: PUT a ``variable,category,population`` CSV, GET, DELETE."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.surveys.services import get_survey
from survey_service.domain.weighting import services
from survey_service.domain.weighting.schemas import Margins

MAX_MARGINS_BYTES = 1024 * 1024


class MarginsController(Controller):
    path = "/api/v1/surveys/{slug:str}/margins"
    tags = ("weighting",)

    @get("/", summary="A wave's population margins", opt={"access": "results:read"})
    async def show(self, read_session: NamedDependency[AsyncSession], slug: FromPath[str]) -> Margins:
        margins = await services.get_margins(read_session, await get_survey(read_session, slug))
        return Margins(survey=slug, method="raking" if margins else "unweighted", margins=margins)

    @put(
        "/",
        summary="Set a wave's margins from CSV (variable,category,population)",
        opt={"access": "weights:write"},
        request_max_body_size=MAX_MARGINS_BYTES,
    )
    async def set(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> Margins:
        """The request body is the CSV itself (``Content-Type: text/csv``)."""
        data = await request.body()
        async with db.write() as session:
            margins = await services.set_margins(session, slug, data, actor_of(staff))
        return Margins(survey=slug, method="raking", margins=margins)

    @delete("/", summary="Remove a wave's margins (report unweighted)", opt={"access": "weights:write"})
    async def clear(self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str]) -> None:
        async with db.write() as session:
            await services.clear_margins(session, slug, actor_of(staff))
