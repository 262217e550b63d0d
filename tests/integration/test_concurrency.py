"""Concurrency on SQLite and PostgreSQL: simultaneous submissions are all stored, and one invitation token
gives exactly one response however many requests race — in one process and across worker processes."""

from __future__ import annotations

import asyncio

import httpx
import msgspec
import pytest
from httpx import AsyncClient

from survey_service.app import create_app
from survey_service.db.engine import Database
from survey_service.settings import Settings
from tests.helpers import count_rows, invitations, open_survey
from tests.live import cli, prepare, service_env, serving

URL = "/api/v1/surveys/mini-2026/responses"


async def test_two_hundred_simultaneous_submissions_are_all_stored(settings: Settings, db: Database) -> None:
    await open_survey(db)
    app = create_app(msgspec.structs.replace(settings, rate_limit_per_hour=0), db)  # all from one address
    async with app.lifespan(), AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        results = await asyncio.gather(
            *(client.post(URL, json={"language": "fi", "answers": {"GETON": 1 + i % 4}}) for i in range(200))
        )
    assert [r.status_code for r in results] == [201] * 200
    assert len({r.json()["id"] for r in results}) == 200
    assert await count_rows(db, "response") == 200


async def test_fifty_simultaneous_submissions_with_one_token_give_one_201_and_49_409(
    client: AsyncClient, db: Database
) -> None:
    survey = await open_survey(db, access="invitation")
    [inv] = await invitations(db, survey)
    body = {"language": "fi", "answers": {"GETON": 1}, "token": inv.token}
    results = await asyncio.gather(*(client.post(URL, json=body) for _ in range(50)))
    assert sorted(r.status_code for r in results) == [201] + [409] * 49
    assert await count_rows(db, "response") == 1
    assert await count_rows(db, "invitation", "status = 'completed'") == 1


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_one_token_raced_across_two_worker_processes_gives_one_response(
    backend: str, tmp_path: object, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite+aiosqlite:///{tmp_path}/workers.db"  # type: ignore[operator]
        if backend == "sqlite"
        else request.getfixturevalue("empty_postgres_database")
    )
    env = service_env(url)
    prepare(env)
    slug = f"workers-{backend}"
    cli(env, "survey", "create", slug, "--questionnaire", "good-relations", "--year", "2026", "--access", "invitation")
    token = cli(env, "invitations", "create", slug, "--count", "1").splitlines()[1].split(",")[0]
    body = {"language": "fi", "answers": {"GETON_AREA": 1}, "token": token}
    with serving(env, workers=2) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=50)) as c:
            results = await asyncio.gather(*(c.post(f"/api/v1/surveys/{slug}/responses", json=body) for _ in range(50)))
    assert sorted(r.status_code for r in results) == [201] + [409] * 49
