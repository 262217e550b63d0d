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
from survey_service.domain.responses.services import _SAVE_PARTIAL, _save_partials
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


async def _partials(db: Database, n: int) -> tuple[uuid.UUID, list[str]]:
    """``n`` partial responses with resume keys; returns the survey's id and the keys."""
    survey = await open_survey(db)
    keys = [f"key-{i}" for i in range(n)]
    async with db.write() as session:
        for key in keys:
            row = _row(survey.id, survey.questionnaire_version_id) | {"status": "partial", "resume_hash": key}
            await session.execute(insert(Response).values(**row))
    return survey.id, keys


def _save(survey_id: uuid.UUID, key: str, answers: dict[str, object]) -> dict[str, object]:
    return {"b_key": key, "b_survey_id": survey_id, "b_answers": answers, "b_language": "sv"}


async def _stored(db: Database) -> dict[str, tuple[dict[str, object], str]]:
    async with db.read() as session:
        rows = await session.execute(select(Response.resume_hash, Response.answers, Response.language))
        return {r.resume_hash: (r.answers, r.language) for r in rows}


async def test_updates_share_one_statement_and_each_learns_whether_it_changed_a_row(db: Database) -> None:
    survey_id, keys = await _partials(db, 30)
    statements: list[tuple[str, int]] = []

    def seen(_conn, _cursor, statement, parameters, _context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE"):
            statements.append((statement, len(parameters) if executemany else 1))

    event.listen(db.writer.sync_engine, "before_cursor_execute", seen)
    try:
        changed = await asyncio.gather(
            *(db.update_batched(_SAVE_PARTIAL, _save(survey_id, k, {"GETON": 4}), _save_partials) for k in keys)
        )
    finally:
        event.remove(db.writer.sync_engine, "before_cursor_execute", seen)
    assert changed == [True] * 30
    assert all(v == ({"GETON": 4}, "sv") for v in (await _stored(db)).values())
    assert len(statements) < 30  # one statement (or one executemany call) per batch, not one per update
    assert sum(n for _, n in statements) == 30 or db.is_sqlite is False


async def test_an_update_that_matches_nothing_is_told_so_and_the_others_still_change(db: Database) -> None:
    survey_id, keys = await _partials(db, 10)
    wanted = [*keys[:5], "no-such-key", *keys[5:], "another-missing-key"]
    changed = await asyncio.gather(
        *(db.update_batched(_SAVE_PARTIAL, _save(survey_id, k, {"GETON": 3}), _save_partials) for k in wanted)
    )
    assert changed == [k in keys for k in wanted]
    stored = await _stored(db)
    assert set(stored) == set(keys) and all(v == ({"GETON": 3}, "sv") for v in stored.values())


async def test_a_failing_update_fails_alone(db: Database) -> None:
    survey_id, keys = await _partials(db, 10)
    bad = _save(survey_id, keys[3], {"GETON": object()})  # not JSON: refused
    outcomes = await asyncio.gather(
        *(
            db.update_batched(_SAVE_PARTIAL, bad if i == 3 else _save(survey_id, k, {"GETON": 2}), _save_partials)
            for i, k in enumerate(keys)
        ),
        return_exceptions=True,
    )
    assert isinstance(outcomes[3], Exception)
    assert outcomes[:3] + outcomes[4:] == [True] * 9
    stored = await _stored(db)
    assert stored[keys[3]] == ({"GETON": 1}, "fi")  # untouched
    assert all(stored[k] == ({"GETON": 2}, "sv") for k in keys if k != keys[3])
