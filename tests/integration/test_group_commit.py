"""Group commit: concurrent writes share transactions, each is answered only after its commit, and one
failing unit never takes the others with it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from survey_service.db.engine import Database
from survey_service.db.models import Response
from survey_service.errors import Conflict
from tests.helpers import open_survey


async def _count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Response)) or 0)


def _insert(survey_id: uuid.UUID, version_id: uuid.UUID, marker: int):  # type: ignore[no-untyped-def]
    async def work(session: AsyncSession) -> int:
        await session.execute(
            insert(Response).values(
                id=uuid.uuid4(),
                survey_id=survey_id,
                questionnaire_version_id=version_id,
                language="fi",
                mode="web",
                status="complete",
                answers={"GETON": 1 + marker % 4},
                started_on=date(2026, 1, 1),
            )
        )
        return marker

    return work


async def test_concurrent_units_share_commits_and_each_gets_its_result(db: Database) -> None:
    survey = await open_survey(db)
    results = await asyncio.gather(
        *(db.batched(_insert(survey.id, survey.questionnaire_version_id, i)) for i in range(200))
    )
    assert results == list(range(200))
    assert await _count(db) == 200
    assert db.committer.units == 200
    assert db.committer.batches < 200  # batched: far fewer commits than units


async def test_a_failing_unit_is_rolled_back_alone(db: Database) -> None:
    survey = await open_survey(db)

    async def fails(session: AsyncSession) -> None:
        await _insert(survey.id, survey.questionnaire_version_id, 99)(session)  # written, then undone
        raise Conflict("this one is refused")

    good = [db.batched(_insert(survey.id, survey.questionnaire_version_id, i)) for i in range(10)]
    outcomes = await asyncio.gather(*good[:5], db.batched(fails), *good[5:], return_exceptions=True)
    assert [o for o in outcomes if isinstance(o, Exception)] == [outcomes[5]]
    assert isinstance(outcomes[5], Conflict)
    assert await _count(db) == 10


async def test_a_failed_commit_fails_every_caller_and_stores_nothing(db: Database) -> None:
    survey = await open_survey(db)

    def disk_full(_session: Session) -> None:
        raise OSError("disk full")

    event.listen(Session, "before_commit", disk_full)
    try:
        outcomes = await asyncio.gather(
            *(db.batched(_insert(survey.id, survey.questionnaire_version_id, i)) for i in range(5)),
            return_exceptions=True,
        )
    finally:
        event.remove(Session, "before_commit", disk_full)
    assert all(isinstance(o, OSError) for o in outcomes)
    assert await _count(db) == 0
    assert await db.batched(_insert(survey.id, survey.questionnaire_version_id, 7)) == 7  # the writer lives on


async def test_nothing_is_acknowledged_before_its_commit(db: Database) -> None:
    survey = await open_survey(db)
    seen_at_acknowledgement: list[int] = []

    async def check(i: int) -> None:
        await db.batched(_insert(survey.id, survey.questionnaire_version_id, i))
        seen_at_acknowledgement.append(await _count(db))

    await asyncio.gather(*(check(i) for i in range(20)))
    # Every caller, when answered, could already read its own row from another connection.
    assert all(n >= 1 for n in seen_at_acknowledgement) and max(seen_at_acknowledgement) == 20


def _row(survey_id: uuid.UUID, version_id: uuid.UUID) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "survey_id": survey_id,
        "questionnaire_version_id": version_id,
        "language": "fi",
        "mode": "web",
        "status": "complete",
        "answers": {"GETON": 1},
        "started_on": date(2026, 1, 1),
        "submitted_on": date(2026, 1, 1),
    }


async def test_plain_rows_share_one_statement_and_a_bad_row_fails_alone(db: Database) -> None:
    survey = await open_survey(db)
    table = Response.__table__
    good = [db.insert_batched(table, _row(survey.id, survey.questionnaire_version_id)) for _ in range(30)]  # type: ignore[arg-type]
    bad = db.insert_batched(table, _row(uuid.uuid4(), survey.questionnaire_version_id))  # type: ignore[arg-type]
    outcomes = await asyncio.gather(*good[:15], bad, *good[15:], return_exceptions=True)
    assert sum(isinstance(o, Exception) for o in outcomes) == 1 and isinstance(outcomes[15], Exception)
    assert await _count(db) == 30
