"""Versions: identical definitions are no-ops, changes to published ones become new versions, and a
published version (and the responses pointing at it) can never change."""

from __future__ import annotations

import msgspec
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from survey_service.db.engine import Database
from survey_service.db.models import QuestionnaireVersion, Response
from survey_service.domain.questionnaires.services import content_hash, definition_of, store
from tests.helpers import mini, open_survey


def _retitled(title: str):  # type: ignore[no-untyped-def]
    q = mini()
    return msgspec.structs.replace(q, title={**q.title, "en": title})


async def test_identical_definition_is_stored_once(db: Database) -> None:
    async with db.write() as session:
        first = await store(session, mini(), publish=True)
        again = await store(session, mini(), publish=True)
    assert first.outcome == "created"
    assert again.outcome == "unchanged"
    assert again.version.id == first.version.id


async def test_changed_published_definition_becomes_a_new_version(db: Database) -> None:
    survey = await open_survey(db)
    async with db.write() as session:
        session.add(
            Response(
                survey_id=survey.id,
                questionnaire_version_id=survey.questionnaire_version_id,
                language="fi",
                answers={"GETON": 1},
            )
        )
    async with db.read() as session:
        v1 = await session.get(QuestionnaireVersion, survey.questionnaire_version_id)
        assert v1 is not None
        v1_definition, v1_hash = v1.definition, v1.content_hash

    async with db.write() as session:
        stored = await store(session, _retitled("Changed title"), publish=True)
    assert stored.outcome == "created"
    assert stored.version.number == 2

    async with db.read() as session:
        old = await session.get(QuestionnaireVersion, survey.questionnaire_version_id)
        assert old is not None
        assert old.number == 1 and old.status == "published"
        assert old.definition == v1_definition and old.content_hash == v1_hash
        assert definition_of(old).title["en"] == "Small survey"
        responses = (await session.scalars(select(Response))).all()
        assert [r.questionnaire_version_id for r in responses] == [old.id]
        assert responses[0].answers == {"GETON": 1}


async def test_draft_is_replaced_until_published(db: Database) -> None:
    async with db.write() as session:
        draft = await store(session, mini(), publish=False)
        replaced = await store(session, _retitled("Draft 2"), publish=False)
        published = await store(session, _retitled("Draft 2"), publish=True)
    assert draft.version.number == replaced.version.number == published.version.number == 1
    assert replaced.outcome == "updated draft"
    assert published.outcome == "published"
    assert published.version.content_hash == content_hash(_retitled("Draft 2"))


async def test_database_refuses_to_change_a_published_version(db: Database) -> None:
    async with db.write() as session:
        version = (await store(session, mini(), publish=True)).version
    with pytest.raises((DBAPIError, IntegrityError), match="immutable"):
        async with db.write() as session:
            await session.execute(
                update(QuestionnaireVersion).where(QuestionnaireVersion.id == version.id).values(note="edited")
            )
    with pytest.raises((DBAPIError, IntegrityError), match="immutable"):
        async with db.write() as session:
            await session.execute(text("DELETE FROM questionnaire_version"))
    async with db.read() as session:
        row = await session.get(QuestionnaireVersion, version.id)
        assert row is not None and row.note is None
