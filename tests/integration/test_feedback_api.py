"""The resident feedback API: sending a message, reading back status and reply, limits — on both databases."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest
from httpx import AsyncClient
from sqlalchemy import func, inspect, select

from survey_service.app import create_app
from survey_service.db.base import today
from survey_service.db.engine import Database
from survey_service.db.models import FeedbackCase, FeedbackContact
from survey_service.domain.audit.services import COMMAND_LINE
from survey_service.domain.feedback import services
from survey_service.settings import Settings

RECEIPT = re.compile(r"([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}")
ARABIC = "تعرضت لمعاملة غير عادلة في المركز الصحي بسبب لغتي."


def message(**overrides: Any) -> dict[str, Any]:
    return {"language": "fi", "topic": "library", "kind": "praise", "text": "Kirjasto on hieno.", **overrides}


async def stored(db: Database) -> list[FeedbackCase]:
    async with db.read() as session:
        return list(await session.scalars(select(FeedbackCase)))


async def count_contacts(db: Database) -> int:
    async with db.read() as session:
        return await session.scalar(select(func.count()).select_from(FeedbackContact)) or 0


async def test_message_in_a_right_to_left_language_is_stored_as_sent(client: AsyncClient, db: Database) -> None:
    r = await client.post(
        "/api/v1/feedback",
        json={"language": "ar", "topic": "health_social", "kind": "discrimination", "text": f"  {ARABIC}\n"},
    )
    assert r.status_code == 201
    receipt = r.json()["receipt"]
    assert RECEIPT.fullmatch(receipt)
    [case] = await stored(db)
    assert (case.language, case.topic, case.kind, case.text) == ("ar", "health_social", "discrimination", ARABIC)
    assert (case.status, case.created_on, case.assignee_id, case.reply) == ("new", today(), None, None)
    assert case.receipt_hash == services.receipt_hash(receipt) and receipt not in case.receipt_hash
    assert await count_contacts(db) == 0


async def test_nothing_about_the_sender_is_stored(db: Database) -> None:
    async with db.engine.connect() as conn:
        columns = await conn.run_sync(
            lambda c: {
                col["name"]: str(col["type"])
                for table in ("feedback_case", "feedback_contact", "feedback_note", "feedback_event")
                for col in inspect(c).get_columns(table)
            }
        )
    assert not {name for name in columns if re.search(r"(^|_)(ip|address|agent|host)($|_)|_at$|time", name)}
    assert not [t for t in columns.values() if "TIME" in t.upper()]


async def test_contact_is_stored_apart_from_the_message(client: AsyncClient, db: Database) -> None:
    r = await client.post("/api/v1/feedback", json=message(contact="+358 40 123 4567"))
    assert r.status_code == 201
    [case] = await stored(db)
    async with db.read() as session:
        contact = (await session.scalars(select(FeedbackContact))).one()
    assert (contact.case_id, contact.kind, contact.value) == (case.id, "phone", "+358401234567")
    assert "358" not in (case.text or "")


@pytest.mark.parametrize(
    ("body", "items"),
    [
        (message(text="   \n "), {"text"}),
        (message(text="x" * 5001), {"text"}),
        (message(text="hei\x00"), {"text"}),
        (message(language="de", text=""), {"language", "text"}),
        (message(contact="not a contact"), {"contact"}),
        (message(topic="parks"), {"topic"}),
        (message(kind="complaint"), {"kind"}),
        (message(ip="203.0.113.7"), {"ip"}),
        ({"language": "fi", "topic": "school"}, {"kind"}),
        (message(text=42), {"text"}),
    ],
)
async def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(
    client: AsyncClient, db: Database, body: dict[str, Any], items: set[str]
) -> None:
    r = await client.post("/api/v1/feedback", json=body)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert {e["item"] for e in problem["errors"]} >= items, problem
    assert await stored(db) == []


async def test_validation_messages_name_the_field(client: AsyncClient) -> None:
    r = await client.post("/api/v1/feedback", json=message(language="de", text="", contact="x"))
    assert r.json()["errors"] == [
        {"item": "language", "message": "Choose one of the languages of the service."},
        {"item": "text", "message": "Write your feedback."},
        {"item": "contact", "message": services.Messages.CONTACT},
    ]


async def test_receipt_shows_status_and_reply_but_never_the_text(client: AsyncClient, db: Database) -> None:
    secret = "Minua kohdeltiin huonosti koulussa, nimeni on Matti."
    receipt = (await client.post("/api/v1/feedback", json=message(topic="school", text=secret))).json()["receipt"]
    r = await client.get(f"/api/v1/feedback/{receipt}")
    assert r.status_code == 200
    assert r.json() == {"status": "new", "reply": None}
    assert "Matti" not in r.text and "school" not in r.text

    async with db.write() as session:
        case = (await session.scalars(select(FeedbackCase))).one()
        await services.reply(session, case, "Kiitos, selvitämme asian.", actor=COMMAND_LINE)
    typed = receipt.lower().replace("-", " ")
    r = await client.get(f"/api/v1/feedback/{typed}")
    assert r.json() == {"status": "answered", "reply": "Kiitos, selvitämme asian."}


@pytest.mark.parametrize("receipt", ["0000-0000-0000-0000", "not-a-code", "ABCD"])
async def test_unknown_receipt_is_404(client: AsyncClient, receipt: str) -> None:
    r = await client.get(f"/api/v1/feedback/{receipt}")
    assert r.status_code == 404
    assert r.json()["detail"] == "no feedback with this receipt code"


async def test_oversized_body_is_refused(client: AsyncClient, db: Database) -> None:
    r = await client.post("/api/v1/feedback", json=message(text="x" * 70_000))
    assert r.status_code == 413
    assert await stored(db) == []


@pytest.fixture
async def strict_client(settings: Settings, db: Database) -> AsyncIterator[AsyncClient]:
    app = create_app(msgspec.structs.replace(settings, feedback_rate_limit=2), db)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c,
    ):
        yield c


async def test_sending_is_rate_limited_per_address(strict_client: AsyncClient, db: Database) -> None:
    statuses = [(await strict_client.post("/api/v1/feedback", json=message())).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert len(await stored(db)) == 2


async def test_receipt_lookups_are_rate_limited_per_address(strict_client: AsyncClient) -> None:
    statuses = [(await strict_client.get("/api/v1/feedback/0000-0000-0000-0000")).status_code for _ in range(21)]
    assert statuses == [404] * 20 + [429]
