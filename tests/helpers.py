"""Small helpers shared by tests: loading test questionnaires and storing them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from survey_service.db.engine import Database
from survey_service.db.models import QuestionnaireVersion, Survey
from survey_service.domain.invitations.services import IssuedInvitation, create_invitations
from survey_service.domain.questionnaires.services import store
from survey_service.domain.surveys.services import create_survey
from survey_service.questionnaire.loader import load
from survey_service.questionnaire.schema import Questionnaire

ROOT = Path(__file__).resolve().parent.parent
TEST_QUESTIONNAIRES = ROOT / "tests" / "data" / "questionnaires"


def mini() -> Questionnaire:
    return load(TEST_QUESTIONNAIRES / "mini")


async def published(db: Database, q: Questionnaire | None = None) -> QuestionnaireVersion:
    async with db.write() as session:
        return (await store(session, q or mini(), publish=True)).version


async def open_survey(db: Database, slug: str = "mini-2026", **kwargs: object) -> Survey:
    version = await published(db)
    async with db.write() as session:
        version = await session.merge(version)
        return await create_survey(session, slug=slug, version=version, year=2026, **kwargs)  # type: ignore[arg-type]


async def invitations(db: Database, survey: Survey, count: int = 1) -> list[IssuedInvitation]:
    async with db.write() as session:
        return await create_invitations(session, survey, count)


async def count_rows(db: Database, table: str, where: str = "") -> int:
    async with db.read() as session:
        sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
        return int((await session.execute(text(sql))).scalar_one())


ORACLE = ROOT / "tests" / "data" / "oracles" / "synthetic"


def synthetic() -> Questionnaire:
    """The questionnaire of the synthetic two-wave oracle survey."""
    return load(ROOT / "tests" / "data" / "synthetic-questionnaire")


async def synthetic_wave(db: Database, slug: str, year: int, plan: object | None = None) -> Survey:
    """A wave of the synthetic questionnaire (no responses yet)."""
    version = await published(db, synthetic())
    async with db.write() as session:
        version = await session.merge(version)
        if plan is not None:
            plan = await session.merge(plan)
        return await create_survey(session, slug=slug, version=version, year=year, plan=plan)  # type: ignore[arg-type]
