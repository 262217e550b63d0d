"""The first endpoints: health, open surveys, one survey's questionnaire in one language."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from tests.helpers import open_survey


async def test_health_reports_the_database(client: AsyncClient) -> None:
    r = await client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}


async def test_open_surveys_are_listed_with_titles_and_languages(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await client.get("/api/v1/surveys")
    assert r.status_code == 200
    assert r.json() == [
        {
            "slug": "mini-2026",
            "title": {"fi": "Pieni kysely", "en": "Small survey"},
            "languages": ["fi", "en"],
            "year": 2026,
            "access": "open",
            "questionnaire": "mini",
            "questionnaire_version": 1,
        }
    ]


async def test_closed_and_future_waves_are_not_listed(client: AsyncClient, db: Database) -> None:
    now = utcnow()
    await open_survey(db, "future", opens_at=now + timedelta(days=1))
    await open_survey(db, "past", closes_at=now - timedelta(days=1), opens_at=now - timedelta(days=10))
    r = await client.get("/api/v1/surveys")
    assert r.json() == []


async def test_questionnaire_in_one_language(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await client.get("/api/v1/surveys/mini-2026", params={"lang": "en"})
    assert r.status_code == 200
    body = r.json()
    q = body["questionnaire"]
    assert (q["language"], q["dir"], q["title"]) == ("en", "ltr", "Small survey")
    first = q["sections"][0]["questions"][0]
    assert first["code"] == "GETON" and first["type"] == "single_choice" and first["required"] is True
    assert first["choices"][0] == {"code": 1, "label": "Definitely agree"}
    assert first["choices"][-1] == {"code": 9, "label": "Don't know", "missing": True}
    follow_up = q["sections"][0]["questions"][3]
    assert follow_up["show_if"] == "CONTACT != 'never'"
    matrix = q["sections"][1]["questions"][0]
    assert [s["code"] for s in matrix["statements"]] == ["DISC_WORK", "DISC_HEALTH"]


async def test_default_language_is_the_source_language(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await client.get("/api/v1/surveys/mini-2026")
    assert r.json()["questionnaire"]["title"] == "Pieni kysely"


async def test_unknown_survey_is_404(client: AsyncClient) -> None:
    r = await client.get("/api/v1/surveys/nope")
    assert r.status_code == 404
    assert r.json()["detail"] == "no survey 'nope'"


async def test_unsupported_language_is_400_naming_the_supported_ones(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await client.get("/api/v1/surveys/mini-2026", params={"lang": "de"})
    assert r.status_code == 400
    assert r.json()["detail"] == "language 'de' is not available for this survey; supported: fi, en"


async def test_the_openapi_schema_is_served_and_the_interactive_docs_only_when_enabled(client: AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/surveys" in schema["paths"] and "/health" in schema["paths"]
    docs = await client.get("/schema")
    assert "html" not in docs.headers["content-type"] and "cdn.jsdelivr.net" not in docs.text
