"""Hostile and broken input at the edge: clear 4xx errors naming what is wrong, nothing stored, and no
stack traces, SQL or file paths in any error response."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy.exc import OperationalError

from survey_service.db.engine import Database
from survey_service.domain.responses import services
from tests.helpers import count_rows, open_survey

URL = "/api/v1/surveys/mini-2026/responses"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"GETON": {"nested": [1]}}, "answers"),
        ({"GETON": [[1]]}, "answers"),
        ({"GETON": [{"a": 1}]}, "answers"),
        ({f"Q{i}": 1 for i in range(1001)}, "length <= 1000"),
        ({"X" * 65: 1}, "length <= 64"),
    ],
    ids=["object value", "nested list", "object in list", "too many answers", "overlong code"],
)
async def test_malformed_answers_are_refused_at_the_edge(
    client: AsyncClient, db: Database, answers: dict[str, object], expected: str
) -> None:
    await open_survey(db)
    r = await client.post(URL, json={"language": "fi", "answers": answers})
    assert r.status_code == 400, r.text
    body = r.json()
    assert expected in body["detail"] or any(expected in e["message"] or expected in e["item"] for e in body["errors"])
    assert await count_rows(db, "response") == 0


@pytest.mark.parametrize(
    "raw",
    [b"{", b"null", b"[]", b'{"language": "fi"}', b'{"language": "fi", "answers": {}, "extra": 1}', b"\xff\xfe"],
    ids=["truncated", "null", "list", "no answers", "unknown field", "not utf-8"],
)
async def test_broken_bodies_get_400_and_store_nothing(client: AsyncClient, db: Database, raw: bytes) -> None:
    await open_survey(db)
    r = await client.post(URL, content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await count_rows(db, "response") == 0


async def test_nul_bytes_in_text_are_refused(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await client.post(URL, json={"language": "fi", "answers": {"GETON": 1, "STORY": "a\x00b"}})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"item": "STORY", "message": "text contains control characters"}]


async def test_a_huge_body_gets_413_with_a_message(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await client.post(URL, json={"language": "fi", "answers": {"STORY": "x" * 300_000}})
    assert r.status_code == 413
    assert r.json()["detail"] == "The request body is larger than 262144 bytes, the largest this service accepts."


async def test_internal_errors_reveal_no_sql_paths_or_traces(
    client: AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await open_survey(db)

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError(
            "SELECT answers FROM response WHERE secret = 1", {}, Exception("/work/var/survey.db is locked")
        )

    monkeypatch.setattr(services, "survey_context", broken)
    for r in (
        await client.post(URL, json={"language": "fi", "answers": {"GETON": 1}}),
        await client.get("/s/mini-2026/p/opinions?lang=fi"),
    ):
        assert r.status_code == 500
        for leak in ("SELECT", "survey.db", "/work/", "Traceback", "OperationalError", 'File "'):
            assert leak not in r.text, leak


@pytest.mark.parametrize("url", [URL, "/api/v1/feedback"])
async def test_json_nested_thousands_deep_gets_400_and_one_log_line(
    client: AsyncClient, db: Database, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    await open_survey(db)
    deep = "[" * 2000 + "]" * 2000
    body = f'{{"language": "fi", "answers": {{"GETON": {deep}}}}}' if url == URL else f'{{"text": {deep}}}'
    caplog.clear()
    r = await client.post(url, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["detail"] == "The request body is nested too deeply."
    logged = [rec for rec in caplog.records if rec.name.startswith("survey_service")]
    assert [rec.getMessage() for rec in logged] == [f"refused a too deeply nested body on POST {url}"]
    assert not any(rec.exc_info for rec in caplog.records)
    assert await count_rows(db, "response") == 0
