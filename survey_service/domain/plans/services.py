"""Plans: creating them, attaching waves, naming the baseline wave and setting targets per indicator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.models import Plan, PlanTarget, Survey
from survey_service.domain.audit.services import COMMAND_LINE, Actor, record
from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.surveys.services import get_survey
from survey_service.errors import BadRequest, Conflict, NotFound
from survey_service.results.variables import variables

DIRECTIONS = ("increase", "decrease")


async def get_plan(session: AsyncSession, slug: str) -> Plan:
    plan = (await session.scalars(select(Plan).where(Plan.slug == slug))).first()
    if plan is None:
        raise NotFound(f"no plan {slug!r}")
    return plan


async def list_plans(session: AsyncSession) -> list[Plan]:
    return list(await session.scalars(select(Plan).order_by(Plan.start_year, Plan.slug)))


async def create_plan(
    session: AsyncSession, *, slug: str, name: str, start_year: int, end_year: int, actor: Actor = COMMAND_LINE
) -> Plan:
    if not name.strip():
        raise BadRequest("a plan needs a name")
    if end_year < start_year:
        raise BadRequest(f"the plan ends ({end_year}) before it starts ({start_year})")
    if (await session.scalars(select(Plan.id).where(Plan.slug == slug))).first() is not None:
        raise Conflict(f"a plan {slug!r} already exists")
    plan = Plan(slug=slug, name=name.strip(), start_year=start_year, end_year=end_year)
    session.add(plan)
    await session.flush()
    await record(session, actor, "plan.create", slug, {"name": plan.name, "years": [start_year, end_year]})
    return plan


async def plan_waves(session: AsyncSession, plan: Plan) -> list[Survey]:
    """The plan's waves, oldest first (by year, then creation)."""
    rows = await session.scalars(
        select(Survey).where(Survey.plan_id == plan.id).order_by(Survey.year, Survey.created_at)
    )
    return list(rows)


async def add_wave(session: AsyncSession, plan_slug: str, survey_slug: str, actor: Actor = COMMAND_LINE) -> Survey:
    """Attach an existing wave to a plan (waves created with ``survey create --plan`` are attached already)."""
    plan = await get_plan(session, plan_slug)
    survey = await get_survey(session, survey_slug)
    if survey.plan_id is not None and survey.plan_id != plan.id:
        raise Conflict(f"survey {survey_slug!r} belongs to another plan")
    if not plan.start_year <= survey.year <= plan.end_year:
        raise BadRequest(
            f"survey {survey_slug!r} ({survey.year}) is outside the plan period {plan.start_year}–{plan.end_year}"
        )
    survey.plan_id = plan.id
    await session.flush()
    await record(session, actor, "plan.add_wave", plan_slug, {"survey": survey_slug})
    return survey


async def set_baseline(session: AsyncSession, plan_slug: str, survey_slug: str, actor: Actor = COMMAND_LINE) -> Survey:
    plan = await get_plan(session, plan_slug)
    survey = await get_survey(session, survey_slug)
    if survey.plan_id != plan.id:
        raise BadRequest(f"survey {survey_slug!r} is not a wave of plan {plan_slug!r}")
    plan.baseline_survey_id = survey.id
    await session.flush()
    await record(session, actor, "plan.baseline", plan_slug, {"survey": survey_slug})
    return survey


async def baseline_of(session: AsyncSession, plan: Plan) -> Survey | None:
    """The named baseline wave, else the plan's first wave."""
    waves = await plan_waves(session, plan)
    for w in waves:
        if w.id == plan.baseline_survey_id:
            return w
    return waves[0] if waves else None


async def set_target(
    session: AsyncSession,
    plan_slug: str,
    item: str,
    *,
    direction: str,
    value: float | None = None,
    year: int | None = None,
    actor: Actor = COMMAND_LINE,
) -> PlanTarget:
    """Set (or replace) the target of one indicator: a direction, optionally a share to reach by a year."""
    plan = await get_plan(session, plan_slug)
    if direction not in DIRECTIONS:
        raise BadRequest(f"direction must be 'increase' or 'decrease', not {direction!r}")
    if (value is None) != (year is None):
        raise BadRequest("a target value needs a year, and a year needs a value")
    if value is not None and not 0 <= value <= 1:
        raise BadRequest("a target value is a share between 0 and 1 (e.g. 0.7 for 70 %)")
    if year is not None and not plan.start_year <= year <= plan.end_year:
        raise BadRequest(f"the target year {year} is outside the plan period {plan.start_year}–{plan.end_year}")
    await _check_indicator(session, plan, item)
    target = (
        await session.scalars(select(PlanTarget).where(PlanTarget.plan_id == plan.id, PlanTarget.item == item))
    ).first()
    if target is None:
        target = PlanTarget(plan_id=plan.id, item=item, direction=direction, value=value, year=year)
        session.add(target)
    else:
        target.direction, target.value, target.year = direction, value, year
    await session.flush()
    await record(
        session, actor, "plan.target", plan_slug, {"item": item, "direction": direction, "value": value, "year": year}
    )
    return target


async def remove_target(session: AsyncSession, plan_slug: str, item: str, actor: Actor = COMMAND_LINE) -> None:
    plan = await get_plan(session, plan_slug)
    target = (
        await session.scalars(select(PlanTarget).where(PlanTarget.plan_id == plan.id, PlanTarget.item == item))
    ).first()
    if target is None:
        raise NotFound(f"plan {plan_slug!r} has no target for {item!r}")
    await session.delete(target)
    await record(session, actor, "plan.target_remove", plan_slug, {"item": item})


async def targets_of(session: AsyncSession, plan: Plan) -> list[PlanTarget]:
    return list(
        await session.scalars(select(PlanTarget).where(PlanTarget.plan_id == plan.id).order_by(PlanTarget.item))
    )


async def _check_indicator(session: AsyncSession, plan: Plan, item: str) -> None:
    """A target names an indicator of the plan's questionnaire(s); a plan without waves accepts any code."""
    waves = await plan_waves(session, plan)
    if not waves:
        return
    known = {v.code for w in waves for v in variables(definition_of(w.version)) if v.indicator is not None}
    if item not in known:
        raise BadRequest(
            f"{item!r} is not an indicator of the plan's questionnaire (indicators: {', '.join(sorted(known))})"
        )


async def create_demo(session: AsyncSession) -> tuple[Plan, list[Survey], bool]:
    """The synthetic demo plan (four waves of the default questionnaire with made-up answers, margins and
    targets); created once, returned as it is afterwards."""
    from sqlalchemy import insert

    from survey_service.db.base import today
    from survey_service.db.models import Response
    from survey_service.domain.questionnaires.services import get_version
    from survey_service.domain.surveys.services import DEFAULT_QUESTIONNAIRE, create_survey
    from survey_service.domain.weighting.services import set_margins
    from survey_service.questionnaire.answers import compiled
    from survey_service.results import demo

    existing = (await session.scalars(select(Plan).where(Plan.slug == demo.PLAN_SLUG))).first()
    if existing is not None:
        return existing, await plan_waves(session, existing), False
    version = await get_version(session, DEFAULT_QUESTIONNAIRE)
    q = definition_of(version)
    checker = compiled(version.content_hash, version.definition)
    plan = await create_plan(
        session, slug=demo.PLAN_SLUG, name=demo.PLAN_NAME, start_year=demo.YEARS[0], end_year=demo.YEARS[-1]
    )
    waves = []
    for i, (year, n) in enumerate(zip(demo.YEARS, demo.RESPONSES, strict=True)):
        survey = await create_survey(
            session,
            slug=f"{demo.PLAN_SLUG}-{year}",
            version=version,
            year=year,
            title=demo.wave_title(year, list(q.languages)),
            plan=plan,
        )
        survey.status = "closed"
        day = today()
        rows = [
            {
                "survey_id": survey.id,
                "questionnaire_version_id": version.id,
                "language": r.language,
                "mode": "web",
                "status": "complete",
                "answers": r.answers,
                "started_on": day,
                "submitted_on": day,
            }
            for r in demo.respondents(q, checker, i, n)
        ]
        await session.execute(insert(Response), rows)
        await set_margins(session, survey.slug, demo.margins_csv())
        waves.append(survey)
    plan.baseline_survey_id = waves[0].id
    await session.flush()
    for item, value in (("BELONG_MUNI", 0.75), ("GETON_AREA", 0.8)):
        await set_target(session, plan.slug, item, direction="increase", value=value, year=demo.YEARS[-1])
    await set_target(session, plan.slug, "SAFE_DARK", direction="increase")
    return plan, waves, True
