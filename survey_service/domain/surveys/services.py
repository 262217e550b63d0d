"""Survey waves: creation (always on a published version), listing open waves, the demo wave."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import utcnow
from survey_service.db.models import Plan, QuestionnaireVersion, Survey
from survey_service.domain.questionnaires.services import definition_of, get_version
from survey_service.errors import BadRequest, Conflict, NotFound

DEFAULT_QUESTIONNAIRE = "good-relations"
DEMO_SURVEY = "good-relations-demo"


async def get_survey(session: AsyncSession, slug: str) -> Survey:
    survey = (await session.scalars(select(Survey).where(Survey.slug == slug))).first()
    if survey is None:
        raise NotFound(f"no survey {slug!r}")
    return survey


async def open_surveys(session: AsyncSession, now: datetime | None = None) -> list[Survey]:
    """Waves accepting answers now, newest first."""
    now = now or utcnow()
    rows = await session.scalars(select(Survey).where(Survey.status == "open").order_by(Survey.created_at.desc()))
    return [s for s in rows if s.is_open(now)]


async def create_survey(
    session: AsyncSession,
    *,
    slug: str,
    version: QuestionnaireVersion,
    year: int,
    title: dict[str, str] | None = None,
    access: str = "open",
    anonymous: bool = True,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    plan: Plan | None = None,
) -> Survey:
    """A new wave of a published questionnaire version; its version never changes afterwards."""
    if version.status != "published":
        raise BadRequest(f"questionnaire version {version.number} is a draft: publish it before fielding it")
    if access not in {"open", "invitation"}:
        raise BadRequest("access must be 'open' or 'invitation'")
    if opens_at and closes_at and closes_at <= opens_at:
        raise BadRequest("closes must be after opens")
    if (await session.scalars(select(Survey.id).where(Survey.slug == slug))).first() is not None:
        raise Conflict(f"a survey {slug!r} already exists")
    survey = Survey(
        slug=slug,
        version=version,
        questionnaire_version_id=version.id,
        year=year,
        title=title or dict(definition_of(version).title),
        access=access,
        anonymous=anonymous,
        opens_at=opens_at,
        closes_at=closes_at,
        plan_id=plan.id if plan else None,
    )
    session.add(survey)
    await session.flush()
    return survey


async def ensure_demo(session: AsyncSession) -> tuple[Survey, bool]:
    """The open demo wave of the default questionnaire: created when no wave of it exists."""
    version = await get_version(session, DEFAULT_QUESTIONNAIRE)
    existing = await session.scalars(
        select(Survey)
        .join(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_id == version.questionnaire_id)
        .order_by(Survey.created_at)
    )
    first = existing.first()
    if first is not None:
        return first, False
    title = {lang: f"{text} (demo)" for lang, text in definition_of(version).title.items()}
    survey = await create_survey(session, slug=DEMO_SURVEY, version=version, year=utcnow().year, title=title)
    return survey, True
