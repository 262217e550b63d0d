"""Paper and interview entry: staff type in a respondent's answers, checked exactly as web answers, stored
with their mode and language; invitation codes are single use; invalid entries store nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from survey_service.db.base import LOCAL_TIME_ZONE
from survey_service.db.engine import Database
from survey_service.db.models import AuditEvent, Invitation, Response, Survey
from tests.helpers import api_token, count_rows, invitations, login, open_survey, post_form, staff_user

SLUG = "mini-2026"
VALID = {"GETON": "2", "CONTACT": "often", "CONTACT_GOOD": "7", "DISC_WORK": "yes", "GROUNDS": ["origin"]}


async def _signed_in(client: httpx.AsyncClient, db: Database, role: str = "data_entry") -> None:
    await staff_user(db, "entry", role)
    await login(client, "entry")


async def _stored(db: Database) -> list[Response]:
    async with db.read() as session:
        return list(await session.scalars(select(Response)))


async def _enter(client: httpx.AsyncClient, fields: dict[str, Any], slug: str = SLUG) -> httpx.Response:
    return await post_form(client, f"/staff/entry/{slug}", {"mode": "paper", "language": "en", **fields})


async def test_an_entered_paper_response_is_stored_with_its_mode_and_language(
    client: httpx.AsyncClient, db: Database
) -> None:
    await open_survey(db)
    await _signed_in(client, db)
    form = await client.get(f"/staff/entry/{SLUG}?lang=en")
    assert form.status_code == 200
    assert "Do people get on well?" in form.text and "asked only if:" in form.text
    assert "CONTACT != &#39;never&#39;" in form.text  # the skip logic of CONTACT_GOOD, as a hint
    saved = await _enter(client, {**VALID, "mode": "interview"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/staff/entry/{SLUG}?lang=en&mode=interview&saved=interview"
    again = await client.get(saved.headers["location"])
    assert "Enter the next one." in again.text
    [row] = await _stored(db)
    assert (row.mode, row.language, row.status, row.invitation_id) == ("interview", "en", "complete", None)
    assert row.answers == {"GETON": 2, "CONTACT": "often", "CONTACT_GOOD": 7, "DISC_WORK": "yes", "GROUNDS": ["origin"]}
    assert row.submitted_on == row.started_on
    await _enter(client, {"GETON": "1"})
    async with db.read() as session:
        [event] = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "responses.enter"))).all()
    # one event a day per person and channel, with counts only: no answers, no time of day
    assert (event.actor, event.target, event.detail) == ("entry", SLUG, {"interview": 1, "paper": 1})
    local = event.occurred_at.replace(tzinfo=event.occurred_at.tzinfo or UTC).astimezone(LOCAL_TIME_ZONE)
    assert (local.hour, local.minute) == (0, 0)  # the start of the day in Helsinki


INVALID = [
    ("required answer missing", {"GETON": ""}, "GETON", "an answer is required"),
    ("not one of the choices", {"GETON": "7"}, "GETON", "not one of the choices"),
    ("rating out of range", {"GETON": "1", "TRUST": "11"}, "TRUST", "expected a whole number from 0 to 10"),
    ("not a number", {"GETON": "1", "HOUSEHOLD": "three"}, "HOUSEHOLD", "expected a number"),
    ("number out of range", {"GETON": "1", "HOUSEHOLD": "99"}, "HOUSEHOLD", "must be at most 20"),
    ("year out of range", {"GETON": "1", "MOVED": "1800"}, "MOVED", "expected a year from 1930"),
    ("text too long", {"GETON": "1", "AREA_NAME": "x" * 61}, "AREA_NAME", "longer than 60"),
    ("control characters", {"GETON": "1", "AREA_NAME": "a\x07b"}, "AREA_NAME", "control characters"),
    (
        "answer that skip logic hides",
        {"GETON": "1", "CONTACT": "never", "CONTACT_GOOD": "5"},
        "CONTACT_GOOD",
        "not asked with these answers",
    ),
    (
        "too many choices",
        {"GETON": "1", "DISC_WORK": "yes", "GROUNDS": ["origin", "language", "other"]},
        "GROUNDS",
        "choose at most 2",
    ),
    (
        "exclusive choice combined",
        {"GETON": "1", "DISC_WORK": "yes", "GROUNDS": ["origin", "none"]},
        "GROUNDS",
        "exclusive",
    ),
    ("matrix row not a choice", {"GETON": "1", "DISC_HEALTH": "maybe"}, "DISC_HEALTH", "not one of the choices"),
    ("no mode", {"GETON": "1", "mode": ""}, "mode", "choose paper or interview"),
    ("mode not paper or interview", {"GETON": "1", "mode": "web"}, "mode", "choose paper or interview"),
    ("language not in the questionnaire", {"GETON": "1", "language": "sv"}, "language", "not a language"),
    ("code in an open wave", {"GETON": "1", "code": "ABCD-EFGH-JKMN"}, "code", "does not use invitations"),
]


@pytest.mark.parametrize(("kind", "fields", "item", "message"), INVALID, ids=[i[0] for i in INVALID])
async def test_every_invalid_kind_of_entry_stores_nothing_and_says_where(
    client: httpx.AsyncClient, db: Database, kind: str, fields: dict[str, Any], item: str, message: str
) -> None:
    await open_survey(db)
    await _signed_in(client, db)
    r = await _enter(client, fields)
    assert r.status_code == 422, kind
    assert await count_rows(db, "response") == 0
    summary = r.text.split('id="error-summary"')[1].split("</div>")[0]
    assert message in summary
    assert f'href="#{"lang" if item == "language" else "f-" + item}"' in summary
    if item not in {"mode", "language", "code"}:
        assert f'id="{item}-error"' in r.text  # the message next to its field
    assert "<title>Error: " in r.text
    # what was typed stays in the form
    assert 'value="1" checked' in r.text or fields.get("GETON") != "1"
    if fields.get("HOUSEHOLD"):
        assert f'value="{fields["HOUSEHOLD"]}"' in r.text


@pytest.mark.parametrize(("kind", "fields", "item", "message"), INVALID[:12], ids=[i[0] for i in INVALID[:12]])
async def test_the_api_refuses_the_same_invalid_answers(
    client: httpx.AsyncClient, db: Database, kind: str, fields: dict[str, Any], item: str, message: str
) -> None:
    await open_survey(db)
    await staff_user(db, "entry", "data_entry")
    token = await api_token(db, "entry")
    # the API takes typed values, as the response API does: parse them as the web form would
    typed = survey_answers(fields)
    r = await client.post(
        f"/api/v1/waves/{SLUG}/entries",
        json={"mode": "paper", "language": "en", "answers": typed},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 422, (kind, r.text)
    assert any(e["item"] == item and message in e["message"] for e in r.json()["errors"]), r.json()
    assert await count_rows(db, "response") == 0


def survey_answers(fields: dict[str, Any]) -> dict[str, Any]:
    """Form text -> JSON values (numbers where the text is a number; lists stay lists)."""
    out: dict[str, Any] = {}
    for code, value in fields.items():
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            out[code] = int(value)
        elif value == "":
            out[code] = None
        else:
            out[code] = value
    return out


async def test_the_api_stores_an_interview_with_its_mode(client: httpx.AsyncClient, db: Database) -> None:
    await open_survey(db)
    await staff_user(db, "entry", "data_entry")
    await staff_user(db, "reader", "analyst")
    token, reader = await api_token(db, "entry"), await api_token(db, "reader")
    body = {"mode": "interview", "language": "fi", "answers": {"GETON": 1, "GROUNDS": None}}
    r = await client.post(f"/api/v1/waves/{SLUG}/entries", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    assert r.json()["mode"] == "interview"
    refused = await client.post(
        f"/api/v1/waves/{SLUG}/entries", json=body, headers={"Authorization": f"Bearer {reader}"}
    )
    assert refused.status_code == 403
    unknown = await client.post(
        f"/api/v1/waves/{SLUG}/entries",
        json={**body, "answers": {"GETON": 1, "NOPE": 1}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert unknown.status_code == 422 and unknown.json()["errors"] == [
        {"item": "NOPE", "message": "unknown question code"}
    ]
    web = await client.post(
        f"/api/v1/waves/{SLUG}/entries", json={**body, "mode": "web"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert web.status_code == 400
    [row] = await _stored(db)
    assert (row.mode, row.language, row.answers) == ("interview", "fi", {"GETON": 1})


@pytest.mark.parametrize("anonymous", [True, False])
async def test_an_invitation_code_marks_the_invitation_completed_once(
    client: httpx.AsyncClient, db: Database, anonymous: bool
) -> None:
    survey = await open_survey(db, access="invitation", anonymous=anonymous)
    first, second = await invitations(db, survey, 2)
    await _signed_in(client, db)
    typed = " " + first.code.lower().replace("-", " ")
    assert (await _enter(client, {"GETON": "1", "code": typed})).status_code == 303
    again = await _enter(client, {"GETON": "2", "code": first.code})
    assert again.status_code == 422 and "already used" in again.text
    wrong = await _enter(client, {"GETON": "2", "code": "AAAA-AAAA-AAAA"})
    assert wrong.status_code == 422 and "no invitation of this wave has this code" in wrong.text
    no_code = await _enter(client, {"GETON": "3"})  # the code is optional
    assert no_code.status_code == 303
    rows = await _stored(db)
    assert len(rows) == 2
    async with db.read() as session:
        statuses = {i.id: i.status for i in await session.scalars(select(Invitation))}
    assert sorted(statuses.values()) == ["completed", "unused"]
    completed = next(i for i, s in statuses.items() if s == "completed")
    linked = {r.invitation_id for r in rows} - {None}
    assert linked == (set() if anonymous else {completed})
    # the resident cannot answer on the web with the entered invitation any more
    web = await client.post(
        f"/api/v1/surveys/{SLUG}/responses", json={"language": "fi", "answers": {"GETON": 1}, "token": first.token}
    )
    assert web.status_code == 409
    # and the API refuses a used token as the page refuses a used code
    await staff_user(db, "api-entry", "data_entry")
    token = await api_token(db, "api-entry")
    used = await client.post(
        f"/api/v1/waves/{SLUG}/entries",
        json={"mode": "paper", "language": "fi", "answers": {"GETON": 1}, "token": first.token},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert used.status_code == 409 and used.json()["errors"] == [{"item": "token", "message": "already used"}]
    fresh = await client.post(
        f"/api/v1/waves/{SLUG}/entries",
        json={"mode": "paper", "language": "fi", "answers": {"GETON": 1}, "code": second.code},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert fresh.status_code == 201
    assert await count_rows(db, "invitation", "status = 'completed'") == 2


async def test_the_same_form_posted_twice_is_stored_once(client: httpx.AsyncClient, db: Database) -> None:
    await open_survey(db)
    await _signed_in(client, db)
    form = await client.get(f"/staff/entry/{SLUG}")
    key = re.search(r'name="entry_key" value="([^"]+)"', form.text)
    assert key is not None
    fields = {"GETON": "1", "entry_key": key.group(1)}
    assert (await _enter(client, fields)).status_code == 303
    assert (await _enter(client, fields)).status_code == 303  # a double click: the first one's answer
    changed = await _enter(client, {**fields, "GETON": "2"})
    assert changed.status_code == 422 and "already saved" in changed.text
    assert await count_rows(db, "response") == 1


async def test_a_closed_wave_takes_no_entries_but_a_past_last_day_does_not_stop_them(
    client: httpx.AsyncClient, db: Database
) -> None:
    await open_survey(db, closes_at=datetime(2020, 1, 1, tzinfo=UTC))
    await _signed_in(client, db)
    assert (await _enter(client, {"GETON": "1"})).status_code == 303  # paper forms posted in time arrive later
    async with db.write() as session:
        survey = (await session.scalars(select(Survey))).one()
        survey.status = "closed"
    closed = await _enter(client, {"GETON": "1"})
    assert closed.status_code == 422 and "it takes no entries" in closed.text
    assert await count_rows(db, "response") == 1
