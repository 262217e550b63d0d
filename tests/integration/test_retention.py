"""Retention: exactly what is past its period is deleted — old complete responses, abandoned partial
responses, old idempotency keys — and a dry run deletes nothing."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import insert

from survey_service.db.engine import Database
from survey_service.db.models import IdempotencyKey, Response
from survey_service.domain.retention.services import apply
from tests.helpers import count_rows, open_survey

TODAY = date(2026, 11, 28)


async def _responses(db: Database, survey_id: uuid.UUID, version_id: uuid.UUID) -> None:
    rows = [
        ("complete", date(2018, 11, 28), date(2018, 11, 28)),  # exactly 96 months: due
        ("complete", date(2018, 11, 29), date(2018, 11, 29)),  # a day younger: kept
        ("complete", date(2026, 11, 20), date(2026, 11, 20)),  # recent: kept, and its idempotency key too
        ("partial", date(2026, 10, 29), None),  # 30 days: due
        ("partial", date(2026, 10, 30), None),  # 29 days: kept
    ]
    async with db.write() as session:
        for status, started, submitted in rows:
            rid = uuid.uuid4()
            await session.execute(
                insert(Response).values(
                    id=rid,
                    survey_id=survey_id,
                    questionnaire_version_id=version_id,
                    language="fi",
                    mode="web",
                    status=status,
                    answers={"GETON": 1},
                    started_on=started,
                    submitted_on=submitted,
                    resume_hash=uuid.uuid4().hex if status == "partial" else None,
                )
            )
            if status == "complete":
                await session.execute(
                    insert(IdempotencyKey).values(
                        id=uuid.uuid4(),
                        survey_id=survey_id,
                        key_hash=uuid.uuid4().hex,
                        request_mac="m",
                        response_id=rid,
                        created_on=submitted,
                    )
                )


async def test_retention_deletes_exactly_what_is_due(db: Database) -> None:
    survey = await open_survey(db)
    await _responses(db, survey.id, survey.questionnaire_version_id)
    async with db.write() as session:
        dry = await apply(session, response_months=96, partial_days=30, feedback_months=24, on=TODAY, dry_run=True)
    assert (dry.responses, dry.partials, dry.idempotency_keys) == (1, 1, 2)
    assert await count_rows(db, "response") == 5 and await count_rows(db, "idempotency_key") == 3

    async with db.write() as session:
        done = await apply(session, response_months=96, partial_days=30, feedback_months=24, on=TODAY)
    assert (done.responses, done.partials, done.idempotency_keys) == (1, 1, 2)
    assert await count_rows(db, "response", "status = 'complete'") == 2
    assert await count_rows(db, "response", "status = 'partial'") == 1
    assert await count_rows(db, "idempotency_key") == 1  # only this year's response keeps its key

    async with db.write() as session:
        again = await apply(session, response_months=96, partial_days=30, feedback_months=24, on=TODAY)
    assert (again.responses, again.partials, again.idempotency_keys) == (0, 0, 0)
