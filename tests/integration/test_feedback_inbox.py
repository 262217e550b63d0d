"""The staff inbox over the API and the pages: who may use each route, and the work itself — filtering,
the personal-data warning with one-click redaction, replies delivered through the outbox, closing."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from survey_service.app import create_app
from survey_service.db.engine import Database
from survey_service.db.models import ROLES, FeedbackCase, FeedbackContact
from survey_service.domain.feedback import services
from survey_service.domain.feedback.outbox import OutgoingReply
from survey_service.settings import Settings
from tests.helpers import api_token, ensure_csrf, login, post_form, staff_user

SENT: list[OutgoingReply] = []


class RecordingOutbox:
    """A delivery plugged in the way a deployment would (SURVEY_FEEDBACK_OUTBOX=module:factory)."""

    async def send(self, reply: OutgoingReply) -> None:
        SENT.append(reply)


def recording_outbox(_: Settings) -> RecordingOutbox:
    return RecordingOutbox()


async def new_case(db: Database, text: str = "Hei Matti, soita 040 123 4567.", **fields: str) -> tuple[str, str]:
    """A resident's message: (case id, receipt code)."""
    values = {"language": "fi", "topic": "health_social", "kind": "discrimination", "contact": None, **fields}
    async with db.write() as session:
        receipt = await services.submit(session, services.check_submission(text=text, **values))  # type: ignore[arg-type]
        case = (
            await session.scalars(
                select(FeedbackCase).where(FeedbackCase.receipt_hash == services.receipt_hash(receipt))
            )
        ).one()
    return str(case.id), receipt


@pytest.fixture
async def app_client(settings: Settings, db: Database) -> AsyncIterator[AsyncClient]:
    SENT.clear()
    app = create_app(msgspec.structs.replace(settings, feedback_outbox=f"{__name__}:recording_outbox"), db)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c,
    ):
        yield c


async def as_role(client: AsyncClient, db: Database, role: str | None) -> dict[str, str]:
    """Sign the client in with a new account of ``role``; returns the API headers of that account."""
    await ensure_csrf(client)
    if role is None:
        return {}
    name = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    await staff_user(db, name, role)
    await login(client, name)
    return {"Authorization": f"Bearer {await api_token(db, name)}"}


def inbox_routes(case: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every route of the inbox (method, path, request arguments); all need feedback:handle."""
    api = f"/api/v1/feedback-cases/{case}"
    page = f"/staff/feedback/{case}"
    return [
        ("GET", "/api/v1/feedback-cases", {}),
        ("GET", api, {}),
        ("PATCH", api, {"json": {"tags": ["x"]}}),
        ("POST", f"{api}/notes", {"json": {"text": "n"}}),
        ("POST", f"{api}/reply", {"json": {"text": "r"}}),
        ("POST", f"{api}/redaction", {}),
        ("GET", "/staff/feedback", {}),
        ("GET", page, {}),
        ("POST", f"{page}/status", {"data": {"status": "in_progress"}}),
        ("POST", f"{page}/assignee", {"data": {"assignee": ""}}),
        ("POST", f"{page}/tags", {"data": {"tags": "x"}}),
        ("POST", f"{page}/notes", {"data": {"note": "n"}}),
        ("POST", f"{page}/reply", {"data": {"reply": "r"}}),
        ("POST", f"{page}/redaction", {"data": {}}),
    ]


@pytest.mark.parametrize("role", [None, *ROLES])
async def test_only_feedback_handlers_and_admins_reach_the_inbox(
    app_client: AsyncClient, db: Database, role: str | None
) -> None:
    case, _ = await new_case(db)
    headers = await as_role(app_client, db, role)
    for method, path, kwargs in inbox_routes(case):
        if path.startswith("/staff/"):
            kwargs = {**kwargs, "headers": {"x-csrftoken": str(app_client.cookies.get("csrftoken"))}}
        else:
            kwargs = {**kwargs, "headers": headers}
        r = await app_client.request(method, path, **kwargs)
        if role in {"feedback_handler", "admin"}:
            assert r.status_code < 300, (method, path, r.status_code, r.text[:300])
        elif role is None:
            expected = 303 if path.startswith("/staff/") else 401
            assert r.status_code == expected, (method, path, r.status_code)
        else:
            assert r.status_code == 403, (method, path, role, r.status_code)
            assert "Hei Matti" not in r.text


async def test_counts_are_for_those_who_read_results(app_client: AsyncClient, db: Database) -> None:
    await new_case(db)
    for role, status in (("analyst", 200), ("admin", 200), ("feedback_handler", 403), ("designer", 403)):
        headers = await as_role(app_client, db, role)
        r = await app_client.get("/api/v1/feedback-counts", params={"year": "2026"}, headers=headers)
        assert r.status_code == status, role
        if status == 200:
            assert {c["count"] for c in r.json()["cells"]} <= {None, 0}  # one case: all hidden but zeros
    r = await app_client.get("/api/v1/feedback-counts", params={"year": "2026", "period": "quarter"})
    assert r.status_code == 401


async def test_api_inbox_filters_and_never_shows_the_contact(app_client: AsyncClient, db: Database) -> None:
    school, _ = await new_case(db, "Koulussa kiusattiin.", topic="school", language="ar", contact="a@b.fi")
    await new_case(db, "Kirjasto on hyvä.", topic="library", kind="praise")
    headers = await as_role(app_client, db, "feedback_handler")
    r = await app_client.get("/api/v1/feedback-cases", params={"topic": "school", "language": "ar"}, headers=headers)
    assert [c["id"] for c in r.json()] == [school] and r.json()[0]["reply_wanted"] is True
    r = await app_client.get("/api/v1/feedback-cases", params={"status": "closed"}, headers=headers)
    assert r.json() == []
    r = await app_client.get("/api/v1/feedback-cases", params={"kind": "nonsense"}, headers=headers)
    assert r.status_code == 400
    detail = await app_client.get(f"/api/v1/feedback-cases/{school}", headers=headers)
    assert detail.json()["reply_channel"] == "email" and "a@b.fi" not in detail.text


async def test_api_reply_is_delivered_and_shown_with_the_receipt(app_client: AsyncClient, db: Database) -> None:
    case, receipt = await new_case(db, "Toivoisin vastausta.", contact="+358 40 123 4567", language="sv")
    headers = await as_role(app_client, db, "feedback_handler")
    r = await app_client.post(f"/api/v1/feedback-cases/{case}/reply", json={"text": "Tack!"}, headers=headers)
    assert r.status_code == 201 and r.json()["status"] == "answered"
    assert [(s.channel, s.address, s.language, s.text) for s in SENT] == [("phone", "+358401234567", "sv", "Tack!")]
    status = await app_client.get(f"/api/v1/feedback/{receipt}")
    assert status.json() == {"status": "answered", "reply": "Tack!"}


async def test_api_closing_deletes_the_contact_and_assigning_needs_a_handler(
    app_client: AsyncClient, db: Database
) -> None:
    case, _ = await new_case(db, contact="a@b.fi")
    headers = await as_role(app_client, db, "admin")
    await staff_user(db, "counter", "analyst")
    await staff_user(db, "helper", "feedback_handler")
    bad = await app_client.patch(f"/api/v1/feedback-cases/{case}", json={"assignee": "counter"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["errors"][0]["item"] == "assignee"
    r = await app_client.patch(
        f"/api/v1/feedback-cases/{case}", json={"assignee": "helper", "status": "closed"}, headers=headers
    )
    assert r.status_code == 200
    assert (r.json()["assignee"], r.json()["status"], r.json()["reply_channel"]) == ("helper", "closed", None)
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(FeedbackContact)) == 0
    unknown = await app_client.patch(f"/api/v1/feedback-cases/{case}", json={"priority": 1}, headers=headers)
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["item"] == "priority"


async def test_inbox_page_warns_of_personal_data_and_redacts_in_one_click(
    app_client: AsyncClient, db: Database
) -> None:
    case, _ = await new_case(db, "Hei Matti, soita 040 123 4567 tai matti@example.fi.")
    await new_case(db, "Kiitos kirjastolle.", topic="library", kind="praise")
    await as_role(app_client, db, "feedback_handler")
    inbox = await app_client.get("/staff/feedback", params={"topic": "health_social"})
    assert inbox.status_code == 200
    assert f'href="/staff/feedback/{case}"' in inbox.text and "Kiitos kirjastolle" not in inbox.text
    assert "personal data?" in inbox.text
    page = await app_client.get(f"/staff/feedback/{case}")
    assert "The text seems to contain personal data" in page.text
    assert '<mark class="personal" title="phone number">040 123 4567</mark>' in page.text
    assert 'lang="fi" dir="auto"' in page.text
    r = await post_form(app_client, f"/staff/feedback/{case}/redaction")
    assert r.status_code == 200 and "3 items of personal data replaced." in r.text
    assert "Hei [name], soita [phone] tai [email]." in r.text and "040 123 4567" not in r.text
    assert "The text seems to contain personal data" not in r.text
    assert "redacted · removed: email 1, name 1, phone 1" in r.text


async def test_inbox_page_reply_note_tags_and_close(app_client: AsyncClient, db: Database) -> None:
    case, receipt = await new_case(db, "Bussi ei pysähtynyt.", topic="transport", contact="a@b.fi")
    await as_role(app_client, db, "admin")
    r = await post_form(app_client, f"/staff/feedback/{case}/reply", {"reply": "Selvitämme asian."})
    assert "Reply saved and sent by email." in r.text and len(SENT) == 1
    r = await post_form(app_client, f"/staff/feedback/{case}/notes", {"note": "Soitettu liikennöitsijälle."})
    assert "Soitettu liikennöitsijälle." in r.text
    r = await post_form(app_client, f"/staff/feedback/{case}/tags", {"tags": "Linja 5, pysäkit"})
    assert 'value="linja 5, pysäkit"' in r.text
    r = await post_form(app_client, f"/staff/feedback/{case}/status", {"status": "closed"})
    assert "Status changed." in r.text and "shown only with the receipt code (no contact)" in r.text
    r = await post_form(app_client, f"/staff/feedback/{case}/notes", {"note": " "})
    assert r.status_code == 400 and "Write your feedback." in r.text
    status = await app_client.get(f"/api/v1/feedback/{receipt}")
    assert status.json() == {"status": "closed", "reply": "Selvitämme asian."}


async def test_the_development_outbox_logs_neither_contact_nor_text(
    client: AsyncClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    case, _ = await new_case(db, contact="secret@example.fi")
    headers = await as_role(client, db, "feedback_handler")
    with caplog.at_level(logging.INFO, logger="survey_service.feedback"):
        r = await client.post(
            f"/api/v1/feedback-cases/{case}/reply", json={"text": "Salainen vastaus"}, headers=headers
        )
    assert r.status_code == 201
    logged = " ".join(rec.getMessage() for rec in caplog.records if rec.name == "survey_service.feedback")
    assert f"case {case} would be delivered by email" in logged
    assert "secret@example.fi" not in logged and "Salainen" not in logged
