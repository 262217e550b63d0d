"""Staff API of plans: create, list, attach waves, name the baseline, set and remove targets."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.db.models import Plan as PlanRow
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.plans import services
from survey_service.domain.plans.schemas import Plan, PlanCreate, Target, TargetSet, Wave, WaveRef

READ = {"access": "results:read"}
WRITE = {"access": "surveys:write"}
WEIGHTS = {"access": "weights:write"}


async def _view(session: AsyncSession, plan: PlanRow) -> Plan:
    base = await services.baseline_of(session, plan)
    return Plan(
        slug=plan.slug,
        name=plan.name,
        start_year=plan.start_year,
        end_year=plan.end_year,
        baseline=base.slug if base else None,
        waves=[Wave(survey=w.slug, year=w.year) for w in await services.plan_waves(session, plan)],
        targets=[
            Target(item=t.item, direction=t.direction, value=t.value, year=t.year)
            for t in await services.targets_of(session, plan)
        ],
    )


class PlanController(Controller):
    path = "/api/v1/plans"
    tags = ("plans",)

    @get("/", summary="Plans", opt=READ)
    async def list_plans(self, read_session: NamedDependency[AsyncSession]) -> list[Plan]:
        return [await _view(read_session, p) for p in await services.list_plans(read_session)]

    @post("/", summary="Create a plan", opt=WRITE)
    async def create(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], data: JSONBody[PlanCreate]
    ) -> Plan:
        async with db.write() as session:
            plan = await services.create_plan(
                session,
                slug=data.slug,
                name=data.name,
                start_year=data.start_year,
                end_year=data.end_year,
                actor=actor_of(staff),
            )
            return await _view(session, plan)

    @get("/{slug:str}", summary="A plan with its waves, baseline and targets", opt=READ)
    async def show(self, read_session: NamedDependency[AsyncSession], slug: FromPath[str]) -> Plan:
        return await _view(read_session, await services.get_plan(read_session, slug))

    @post("/{slug:str}/waves", summary="Attach a wave to the plan", opt=WRITE, status_code=200)
    async def add_wave(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str], data: JSONBody[WaveRef]
    ) -> Plan:
        async with db.write() as session:
            await services.add_wave(session, slug, data.survey, actor_of(staff))
            return await _view(session, await services.get_plan(session, slug))

    @put("/{slug:str}/baseline", summary="Name the baseline wave", opt=WRITE)
    async def set_baseline(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str], data: JSONBody[WaveRef]
    ) -> Plan:
        async with db.write() as session:
            await services.set_baseline(session, slug, data.survey, actor_of(staff))
            return await _view(session, await services.get_plan(session, slug))

    @put("/{slug:str}/targets/{item:str}", summary="Set the target of an indicator", opt=WEIGHTS)
    async def set_target(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        item: FromPath[str],
        data: JSONBody[TargetSet],
    ) -> Target:
        async with db.write() as session:
            t = await services.set_target(
                session, slug, item, direction=data.direction, value=data.value, year=data.year, actor=actor_of(staff)
            )
            return Target(item=t.item, direction=t.direction, value=t.value, year=t.year)

    @delete("/{slug:str}/targets/{item:str}", summary="Remove the target of an indicator", opt=WEIGHTS)
    async def remove_target(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], slug: FromPath[str], item: FromPath[str]
    ) -> None:
        async with db.write() as session:
            await services.remove_target(session, slug, item, actor_of(staff))
