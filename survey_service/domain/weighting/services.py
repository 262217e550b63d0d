"""Setting and reading a wave's population margins."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.models import PopulationMargin, Survey
from survey_service.domain.audit.services import COMMAND_LINE, Actor, record
from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.surveys.services import get_survey
from survey_service.errors import Unprocessable
from survey_service.results.data import load_wave
from survey_service.results.margins import MarginError, Margins, check_against_sample, check_margins, parse_margins
from survey_service.results.variables import variables


async def set_margins(session: AsyncSession, slug: str, data: bytes, actor: Actor = COMMAND_LINE) -> Margins:
    """Replace wave ``slug``'s margins with those of a ``variable,category,population`` CSV.

    Checked against the questionnaire, and against the wave's respondents when it has any (margins can
    also be set before fielding; the report checks them again).
    """
    survey = await get_survey(session, slug)
    q = definition_of(survey.version)
    try:
        margins = check_margins(parse_margins(data), {v.code: v for v in variables(q)})
        wave = await load_wave(session, survey, q)
        if wave.n:
            check_against_sample(margins, {v: wave.codes(v) for v in margins})
    except MarginError as exc:
        raise Unprocessable(exc.detail, exc.errors) from None
    await session.execute(delete(PopulationMargin).where(PopulationMargin.survey_id == survey.id))
    session.add_all(
        PopulationMargin(survey_id=survey.id, variable=v, category=c, population=p)
        for v, cats in margins.items()
        for c, p in cats.items()
    )
    await session.flush()
    await record(session, actor, "margins.set", slug, {"variables": list(margins)})
    return margins


async def get_margins(session: AsyncSession, survey: Survey) -> Margins:
    """The wave's margins (empty when the wave is reported unweighted)."""
    rows = await session.scalars(
        select(PopulationMargin).where(PopulationMargin.survey_id == survey.id).order_by(PopulationMargin.id)
    )
    out: Margins = {}
    for m in rows:
        out.setdefault(m.variable, {})[m.category] = m.population
    return out


async def clear_margins(session: AsyncSession, slug: str, actor: Actor = COMMAND_LINE) -> None:
    survey = await get_survey(session, slug)
    await session.execute(delete(PopulationMargin).where(PopulationMargin.survey_id == survey.id))
    await record(session, actor, "margins.clear", slug)
