"""POST /api/v1/surveys/{slug}/responses: checked answers, nothing stored on error, single-use tokens, retries."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from tests.helpers import count_rows, invitations, open_survey

URL = "/api/v1/surveys/mini-2026/responses"
VALID: dict[str, Any] = {"GETON": 1, "TRUST": 7, "CONTACT": "often", "CONTACT_GOOD": 8, "DISC_WORK": "yes"}


async def post(client: AsyncClient, body: Any, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return await client.post(URL, json=body, headers=headers)


async def test_valid_answers_are_stored_with_language_and_dates_only(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await post(client, {"language": "en", "answers": VALID})
    assert r.status_code == 201, r.text
    rid = uuid.UUID(r.json()["id"])
    async with db.read() as session:
        row = (
            await session.execute(
                text("SELECT language, status, mode, answers, started_on, submitted_on, invitation_id FROM response")
            )
        ).one()
    assert row.language == "en" and row.status == "complete" and row.mode == "web"
    answers = row.answers if isinstance(row.answers, dict) else json.loads(row.answers)
    assert answers == VALID
    assert len(str(row.submitted_on)) == 10 and len(str(row.started_on)) == 10  # dates, no times
    assert row.invitation_id is None
    assert rid.version == 4


INVALID = [
    pytest.param({"GETON": "1"}, "GETON", "is not one of the choices", id="wrong-type"),
    pytest.param({"GETON": 5}, "GETON", "is not one of the choices", id="unknown-choice-code"),
    pytest.param({"GETON": 1, "TRUST": 11}, "TRUST", "expected a whole number from 0 to 10", id="rating-out-of-range"),
    pytest.param({"GETON": 1, "HOUSEHOLD": 0}, "HOUSEHOLD", "must be at least 1", id="number-below-minimum"),
    pytest.param({"GETON": 1, "HOUSEHOLD": 2.5}, "HOUSEHOLD", "expected a whole number", id="number-not-whole"),
    pytest.param({"GETON": 1, "MOVED": 1800}, "MOVED", "expected a year from 1930", id="year-out-of-range"),
    pytest.param({"TRUST": 5}, "GETON", "an answer is required", id="required-missing"),
    pytest.param(
        {"GETON": 1, "CONTACT": "never", "CONTACT_GOOD": 5}, "CONTACT_GOOD", "skip logic", id="hidden-by-skip-logic"
    ),
    pytest.param({"GETON": 1, "NOPE": 1}, "NOPE", "unknown question code", id="unknown-code"),
    pytest.param(
        {"GETON": 1, "DISC_WORK": "yes", "GROUNDS": ["origin", "language", "other"]},
        "GROUNDS",
        "choose at most 2",
        id="too-many-choices",
    ),
    pytest.param(
        {"GETON": 1, "DISC_WORK": "yes", "GROUNDS": ["origin", "none"]},
        "GROUNDS",
        "exclusive",
        id="exclusive-choice-combined",
    ),
    pytest.param({"GETON": 1, "GROUNDS": "origin"}, "GROUNDS", "skip logic", id="multiple-choice-hidden"),
    pytest.param({"GETON": 1, "STORY": "x" * 501}, "STORY", "longer than 500", id="text-too-long"),
    pytest.param({"GETON": 1, "AREA_NAME": "a\x00b"}, "AREA_NAME", "control characters", id="control-characters"),
]


@pytest.mark.parametrize(("answers", "item", "message"), INVALID)
async def test_invalid_answer_is_422_naming_the_item_and_nothing_is_stored(
    client: AsyncClient, db: Database, answers: dict[str, Any], item: str, message: str
) -> None:
    await open_survey(db)
    r = await post(client, {"language": "fi", "answers": answers}, key=str(uuid.uuid4()))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert any(e["item"] == item and message in e["message"] for e in errors), errors
    assert await count_rows(db, "response") == 0
    assert await count_rows(db, "idempotency_key") == 0


@pytest.mark.parametrize(
    ("body", "status", "item"),
    [
        pytest.param({"language": "fi", "answers": {"GETON": 1}, "extra": 1}, 400, "extra", id="extra-field"),
        pytest.param({"language": "fi"}, 400, "answers", id="answers-missing"),
        pytest.param({"language": "fi", "answers": [1]}, 400, "answers", id="answers-not-a-map"),
        pytest.param({"language": "de", "answers": {"GETON": 1}}, 422, "language", id="language-not-offered"),
        pytest.param(
            {"language": "fi", "answers": {"GETON": 1}, "token": "x"}, 422, "token", id="token-in-open-survey"
        ),
    ],
)
async def test_malformed_request_is_rejected_naming_the_field_and_nothing_is_stored(
    client: AsyncClient, db: Database, body: dict[str, Any], status: int, item: str
) -> None:
    await open_survey(db)
    r = await post(client, body)
    assert r.status_code == status, r.text
    assert any(item in e["item"] or item in e["message"] for e in r.json()["errors"]), r.json()
    assert await count_rows(db, "response") == 0


async def test_body_over_the_size_limit_is_413_with_a_message(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    r = await post(client, {"language": "fi", "answers": {"GETON": 1, "STORY": "x" * 300_000}})
    assert r.status_code == 413
    assert "larger than" in r.json()["detail"]
    assert await count_rows(db, "response") == 0


async def test_unknown_and_closed_surveys_store_nothing(client: AsyncClient, db: Database) -> None:
    r = await client.post("/api/v1/surveys/nope/responses", json={"language": "fi", "answers": {"GETON": 1}})
    assert r.status_code == 404
    await open_survey(db, "closed-2026", closes_at=utcnow() - timedelta(days=1), opens_at=utcnow() - timedelta(days=9))
    r = await client.post("/api/v1/surveys/closed-2026/responses", json={"language": "fi", "answers": {"GETON": 1}})
    assert r.status_code == 409
    assert await count_rows(db, "response") == 0


async def test_retry_with_the_same_idempotency_key_returns_the_original_response(
    client: AsyncClient, db: Database
) -> None:
    await open_survey(db)
    body = {"language": "fi", "answers": {"GETON": 2}}
    first = await post(client, body, key="retry-key-1")
    again = await post(client, {"answers": {"GETON": 2}, "language": "fi"}, key="retry-key-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await count_rows(db, "response") == 1
    async with db.read() as session:
        stored = (await session.execute(text("SELECT key_hash FROM idempotency_key"))).scalar_one()
    assert "retry-key-1" not in stored and len(stored) == 64


async def test_same_idempotency_key_with_another_body_is_422(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    assert (await post(client, {"language": "fi", "answers": {"GETON": 2}}, key="k")).status_code == 201
    r = await post(client, {"language": "fi", "answers": {"GETON": 3}}, key="k")
    assert r.status_code == 422
    assert r.json()["errors"] == [{"item": "Idempotency-Key", "message": "already used with a different request"}]
    assert await count_rows(db, "response") == 1


async def test_concurrent_retries_with_one_idempotency_key_store_one_response(
    client: AsyncClient, db: Database
) -> None:
    await open_survey(db)
    body = {"language": "fi", "answers": {"GETON": 1}}
    results = await asyncio.gather(*(post(client, body, key="same-key") for _ in range(8)))
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["id"] for r in results}) == 1
    assert await count_rows(db, "response") == 1


async def test_invitation_survey_needs_a_valid_token(client: AsyncClient, db: Database) -> None:
    await open_survey(db, access="invitation")
    r = await post(client, {"language": "fi", "answers": {"GETON": 1}})
    assert r.status_code == 422 and r.json()["errors"][0]["item"] == "token"
    r = await post(client, {"language": "fi", "answers": {"GETON": 1}, "token": "not-a-token"})
    assert r.status_code == 403
    assert await count_rows(db, "response") == 0


async def test_token_cannot_be_used_twice(client: AsyncClient, db: Database) -> None:
    survey = await open_survey(db, access="invitation")
    [inv] = await invitations(db, survey)
    body = {"language": "fi", "answers": {"GETON": 1}, "token": inv.token}
    assert (await post(client, body)).status_code == 201
    second = await post(client, body)
    assert second.status_code == 409
    assert second.json()["errors"] == [{"item": "token", "message": "already used"}]
    assert await count_rows(db, "response") == 1


async def test_twenty_simultaneous_submissions_with_one_token_give_exactly_one_201(
    client: AsyncClient, db: Database
) -> None:
    survey = await open_survey(db, access="invitation")
    [inv] = await invitations(db, survey)
    body = {"language": "fi", "answers": {"GETON": 1}, "token": inv.token}
    results = await asyncio.gather(*(post(client, body) for _ in range(20)))
    codes = sorted(r.status_code for r in results)
    assert codes == [201] + [409] * 19, codes
    assert await count_rows(db, "response") == 1
    assert await count_rows(db, "invitation", "status = 'completed'") == 1


async def test_anonymous_survey_response_is_not_linked_to_its_invitation(client: AsyncClient, db: Database) -> None:
    survey = await open_survey(db, access="invitation", anonymous=True)
    [inv] = await invitations(db, survey)
    assert (await post(client, {"language": "fi", "answers": {"GETON": 1}, "token": inv.token})).status_code == 201
    assert await count_rows(db, "response", "invitation_id IS NULL AND resume_hash IS NULL") == 1
    assert await count_rows(db, "invitation", "status = 'completed'") == 1


async def test_named_survey_response_keeps_its_invitation(client: AsyncClient, db: Database) -> None:
    survey = await open_survey(db, access="invitation", anonymous=False)
    [inv] = await invitations(db, survey)
    assert (await post(client, {"language": "fi", "answers": {"GETON": 1}, "token": inv.token})).status_code == 201
    assert await count_rows(db, "response", "invitation_id IS NOT NULL") == 1


async def test_idempotent_retry_after_a_token_was_used_returns_the_original_201(
    client: AsyncClient, db: Database
) -> None:
    survey = await open_survey(db, access="invitation")
    [inv] = await invitations(db, survey)
    body = {"language": "fi", "answers": {"GETON": 1}, "token": inv.token}
    first = await post(client, body, key="kiosk-1")
    again = await post(client, body, key="kiosk-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()


async def test_open_survey_submissions_are_rate_limited_per_address(client: AsyncClient, db: Database) -> None:
    await open_survey(db)
    for _ in range(120):
        assert (await post(client, {"language": "fi", "answers": {"GETON": 1}})).status_code == 201
    r = await post(client, {"language": "fi", "answers": {"GETON": 1}})
    assert r.status_code == 429 and "too many responses" in r.json()["detail"]
    assert await count_rows(db, "response") == 120
