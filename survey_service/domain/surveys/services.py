"""Survey waves: creation (always on a published version), listing open waves, the demo wave."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import LOCAL_TIME_ZONE, utcnow
from survey_service.db.models import Plan, QuestionnaireVersion, Survey
from survey_service.domain.audit.services import Actor, record
from survey_service.domain.questionnaires.services import definition_of, get_version
from survey_service.errors import BadRequest, Conflict, ItemError, NotFound

# Opening and closing dates are calendar days in the municipality's time zone: a wave opens at the start
# of its opening day and accepts answers to the end of its closing day.


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
        raise Conflict(f"a survey {slug!r} already exists", [ItemError("slug", "already taken")])
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


def day_start(day: date) -> datetime:
    """The first moment of ``day`` in the local time zone."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TIME_ZONE)


def day_after(day: date) -> datetime:
    """The first moment after ``day`` ends, in the local time zone (a wave closing on ``day`` stops then)."""
    return day_start(day + timedelta(days=1))


def local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(LOCAL_TIME_ZONE).date() if moment else None


async def all_surveys(session: AsyncSession) -> list[Survey]:
    """Every wave, newest first."""
    return list(await session.scalars(select(Survey).order_by(Survey.created_at.desc())))


async def create_wave(
    session: AsyncSession,
    actor: Actor,
    *,
    slug: str,
    questionnaire: str,
    version: int | None,
    year: int,
    plan: str | None = None,
    access: str = "open",
    opens: date | None = None,
    closes: date | None = None,
    titles: dict[str, str] | None = None,
) -> Survey:
    """A new wave of a published version (the latest published one unless ``version`` is given)."""
    v = await get_version(session, questionnaire, version)
    plan_row = None
    if plan:
        plan_row = (await session.scalars(select(Plan).where(Plan.slug == plan))).first()
        if plan_row is None:
            raise NotFound(f"no plan {plan!r}", [ItemError("plan", "no such plan")])
    q = definition_of(v)
    unknown = sorted(set(titles or {}) - set(q.languages))
    if unknown:
        raise BadRequest(
            f"title languages {unknown} are not languages of the questionnaire ({', '.join(q.languages)})",
            [ItemError("title", "unknown language")],
        )
    if opens and closes and closes < opens:
        raise BadRequest("the closing day is before the opening day", [ItemError("closes", "before opens")])
    survey = await create_survey(
        session,
        slug=slug,
        version=v,
        year=year,
        title={**q.title, **(titles or {})},
        access=access,
        opens_at=day_start(opens) if opens else None,
        closes_at=day_after(closes) if closes else None,
        plan=plan_row,
    )
    await record(
        session, actor, "survey.create", slug, {"questionnaire": f"{questionnaire}@{v.number}", "access": access}
    )
    return survey


async def close_survey(session: AsyncSession, actor: Actor, slug: str) -> Survey:
    survey = await get_survey(session, slug)
    if survey.status == "closed":
        raise Conflict(f"survey {slug!r} is already closed")
    survey.status = "closed"
    await record(session, actor, "survey.close", slug)
    return survey


async def reopen_survey(session: AsyncSession, actor: Actor, slug: str, closes: date | None = None) -> Survey:
    """Open a closed wave again; a wave whose closing day has passed needs a new closing day."""
    survey = await get_survey(session, slug)
    now = utcnow()
    if closes is not None:
        if day_after(closes) <= now:
            raise BadRequest("the new closing day has already passed", [ItemError("closes", "in the past")])
        survey.closes_at = day_after(closes)
    elif survey.closes_at is not None and survey.closes_at <= now:
        raise BadRequest(
            f"survey {slug!r} closed on {local_day(survey.closes_at - timedelta(seconds=1))}: give a new closing day",
            [ItemError("closes", "give a new closing day")],
        )
    if survey.status == "open" and closes is None:
        raise Conflict(f"survey {slug!r} is open")
    survey.status = "open"
    await record(session, actor, "survey.reopen", slug, {"closes": str(closes)} if closes else None)
    return survey
