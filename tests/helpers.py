"""Small helpers shared by tests: loading test questionnaires and storing them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from survey_service.db.engine import Database
from survey_service.db.models import QuestionnaireVersion, StaffUser, Survey
from survey_service.domain.audit.services import COMMAND_LINE
from survey_service.domain.auth.services import create_token, create_user
from survey_service.domain.invitations.services import IssuedInvitation, create_invitations
from survey_service.domain.questionnaires.services import store
from survey_service.domain.surveys.services import create_survey
from survey_service.questionnaire.loader import load
from survey_service.questionnaire.schema import Questionnaire

ROOT = Path(__file__).resolve().parent.parent
TEST_QUESTIONNAIRES = ROOT / "tests" / "data" / "questionnaires"


def service_missing(message: str) -> None:
    """A service a test needs (PostgreSQL, Redis, Chromium) is not there: the test fails in CI, which always
    provides it (``.ci/run``), and is skipped with ``message`` on a machine that was not set up for it."""
    if os.environ.get("CI"):
        pytest.fail(f"{message}: CI must run this test", pytrace=False)
    pytest.skip(message)


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


# -- staff accounts -------------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


async def staff_user(db: Database, username: str, role: str, password: str = PASSWORD) -> StaffUser:
    async with db.write() as session:
        return await create_user(session, COMMAND_LINE, username, role, password)


async def api_token(db: Database, username: str) -> str:
    async with db.write() as session:
        return (await create_token(session, COMMAND_LINE, username, "tests"))[1]


def csrf_token(client: httpx.AsyncClient) -> str:
    return client.cookies.get("csrftoken") or ""


async def ensure_csrf(client: httpx.AsyncClient) -> str:
    """The CSRF cookie, fetched with a GET of the login page when the client has none yet."""
    if not csrf_token(client):
        await client.get("/staff/login")
    return csrf_token(client)


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, str] | None = None, **kw: Any
) -> httpx.Response:
    """A staff form post as a browser sends it: form-encoded, with the CSRF token field."""
    token = await ensure_csrf(client)
    return await client.post(path, data={**(data or {}), "_csrf_token": token}, **kw)


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    response = await post_form(client, "/staff/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text
    return response


def set_cookie(client: httpx.AsyncClient, name: str, value: str, path: str = "/staff") -> None:
    """Replace a cookie in the client's jar (as an attacker or a copied cookie would present it)."""
    domains = {c.domain for c in client.cookies.jar if c.name == name} or {"testserver.local"}
    client.cookies.delete(name)
    for domain in domains:
        client.cookies.set(name, value, domain=domain, path=path)


ORACLE = ROOT / "tests" / "data" / "oracles" / "synthetic"


def synthetic() -> Questionnaire:
    """The questionnaire of the synthetic two-wave oracle survey."""
    return load(ROOT / "tests" / "data" / "synthetic-questionnaire")


async def synthetic_wave(
    db: Database, slug: str, year: int, plan: object | None = None, q: Questionnaire | None = None
) -> Survey:
    """A wave of the synthetic questionnaire (``q``: the same, e.g. imported from XLSForm); no responses yet."""
    version = await published(db, q or synthetic())
    async with db.write() as session:
        version = await session.merge(version)
        if plan is not None:
            plan = await session.merge(plan)
        return await create_survey(session, slug=slug, version=version, year=year, plan=plan)  # type: ignore[arg-type]
