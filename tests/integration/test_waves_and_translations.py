"""Survey waves for staff (create, close, reopen; the version never changes) and the translation workflow
(status table, translator files out and back in, outdated strings)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import msgspec
from httpx import AsyncClient
from openpyxl import load_workbook

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.domain.questionnaires.services import store
from survey_service.questionnaire.translations import XLIFF_NS
from tests.helpers import api_token, login, mini, post_form, published, staff_user


async def _auth(db: Database, role: str = "designer") -> dict[str, str]:
    await staff_user(db, f"u-{role}", role)
    return {"Authorization": f"Bearer {await api_token(db, f'u-{role}')}"}


async def test_wave_is_open_from_creation_and_keeps_its_version(client: AsyncClient, db: Database) -> None:
    auth = await _auth(db)
    await published(db)
    body = {"slug": "mini-2026", "questionnaire": "mini", "year": 2026, "title": {"en": "Our 2026 survey"}}
    r = await client.post("/api/v1/waves", json=body, headers=auth)
    assert r.status_code == 201, r.text
    wave = r.json()
    assert (wave["questionnaire_version"], wave["status"], wave["open_now"]) == (1, "open", True)
    assert wave["title"] == {"fi": "Pieni kysely", "en": "Our 2026 survey"}
    listed = (await client.get("/api/v1/surveys")).json()
    assert [s["slug"] for s in listed] == ["mini-2026"]
    q = mini()
    async with db.write() as session:
        await store(session, msgspec.structs.replace(q, title={**q.title, "en": "v2"}), publish=True)
    assert (await client.get("/api/v1/waves/mini-2026", headers=auth)).json()["questionnaire_version"] == 1
    duplicate = await client.post("/api/v1/waves", json=body, headers=auth)
    assert duplicate.status_code == 409


async def test_wave_opening_in_the_future_is_not_open_yet(client: AsyncClient, db: Database) -> None:
    auth = await _auth(db)
    await published(db)
    opens = (utcnow() + timedelta(days=3)).date().isoformat()
    closes = (utcnow() + timedelta(days=30)).date().isoformat()
    r = await client.post(
        "/api/v1/waves",
        json={
            "slug": "later",
            "questionnaire": "mini@1",
            "year": 2026,
            "opens": opens,
            "closes": closes,
            "access": "invitation",
        },
        headers=auth,
    )
    assert r.status_code == 201
    assert (r.json()["open_now"], r.json()["opens"], r.json()["closes"]) == (False, opens, closes)
    assert (await client.get("/api/v1/surveys")).json() == []


async def test_wave_needs_a_published_version_and_an_existing_plan(client: AsyncClient, db: Database) -> None:
    auth = await _auth(db)
    async with db.write() as session:
        await store(session, mini(), publish=False)
    draft = await client.post(
        "/api/v1/waves", json={"slug": "wave", "questionnaire": "mini@1", "year": 2026}, headers=auth
    )
    assert draft.status_code == 400 and "is a draft" in draft.json()["detail"]
    none = await client.post(
        "/api/v1/waves", json={"slug": "wave", "questionnaire": "mini", "year": 2026}, headers=auth
    )
    assert none.status_code == 404
    await published(db)
    plan = await client.post(
        "/api/v1/waves", json={"slug": "wave", "questionnaire": "mini@1", "year": 2026, "plan": "nope"}, headers=auth
    )
    assert plan.status_code == 404 and plan.json()["detail"] == "no plan 'nope'"


async def test_close_and_reopen_a_wave(client: AsyncClient, db: Database) -> None:
    auth = await _auth(db)
    await published(db)
    await client.post("/api/v1/waves", json={"slug": "wave", "questionnaire": "mini", "year": 2026}, headers=auth)
    closed = await client.post("/api/v1/waves/wave/close", headers=auth)
    assert closed.json()["status"] == "closed" and closed.json()["open_now"] is False
    assert (await client.get("/api/v1/surveys")).json() == []
    reopened = await client.post("/api/v1/waves/wave/reopen", json={}, headers=auth)
    assert reopened.json()["open_now"] is True
    past = (date.today() - timedelta(days=2)).isoformat()
    refused = await client.post("/api/v1/waves/wave/reopen", json={"closes": past}, headers=auth)
    assert refused.status_code == 400


async def test_analyst_can_list_waves_but_not_create_them(client: AsyncClient, db: Database) -> None:
    auth = await _auth(db, "analyst")
    assert (await client.get("/api/v1/waves", headers=auth)).status_code == 200
    r = await client.post("/api/v1/waves", json={"slug": "wave", "questionnaire": "mini", "year": 2026}, headers=auth)
    assert r.status_code == 403


async def test_wave_page_creates_and_closes(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "dana", "designer")
    await published(db)
    await login(client, "dana")
    page = await client.get("/staff/surveys/")
    assert page.status_code == 200 and "<option>mini@1</option>" in page.text
    bad = await post_form(client, "/staff/surveys", {"slug": "--", "questionnaire": "mini@1", "year": "2026"})
    assert bad.status_code == 400 and 'class="error-summary"' in bad.text
    ok = await post_form(
        client,
        "/staff/surveys",
        {"slug": "mini-2026", "questionnaire": "mini@1", "year": "2026", "closes": "2099-12-31"},
    )
    assert ok.status_code == 303
    listing = await client.get("/staff/surveys/")
    assert "mini-2026" in listing.text and "accepting answers" in listing.text and "31/12/2099" in listing.text  # en_FI
    await post_form(client, "/staff/surveys/mini-2026/close")
    assert "Reopen" in (await client.get("/staff/surveys/")).text


def _xlsx_rows(content: bytes) -> list[list[object]]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


async def test_translator_xlsx_round_trip_adds_a_language_as_a_draft(client: AsyncClient, db: Database) -> None:
    auth = await _auth(db)
    await published(db)
    exported = await client.get("/api/v1/questionnaires/mini/versions/1/translations/sv", headers=auth)
    assert exported.status_code == 200
    rows = _xlsx_rows(exported.content)
    assert rows[0] == ["key", "source (fi)", "translation (sv)", "state"]
    assert ["title", "Pieni kysely", None, "missing"] in rows
    wb = load_workbook(io.BytesIO(exported.content))
    ws = wb.active
    for row in ws.iter_rows(min_row=2):
        if row[0].value in {"title", "GETON.text"}:
            row[2].value = f"SV {row[1].value}"
    out = io.BytesIO()
    wb.save(out)
    r = await client.post("/api/v1/questionnaires/mini/translations/sv", content=out.getvalue(), headers=auth)
    assert r.status_code == 201, r.text
    result = r.json()
    assert (result["version"], result["outcome"], result["updated"]) == (2, "created", 2)
    assert "GETON.choice.1" in result["missing"] and "title" not in result["missing"]
    status = (await client.get("/api/v1/questionnaires/mini/versions/2/translations", headers=auth)).json()
    sv = next(row for row in status if row["language"] == "sv")
    assert (sv["status"], sv["translated"]) == ("draft", 2)
    refused = await client.post("/api/v1/questionnaires/mini/versions/2/publish", headers=auth)
    assert refused.status_code == 422  # missing Swedish strings block publishing


async def test_translator_file_with_unknown_keys_is_refused_naming_them(client: AsyncClient, db: Database) -> None:
    auth = await _auth(db)
    await published(db)
    xliff = f"""<?xml version="1.0"?><xliff version="1.2" xmlns="{XLIFF_NS}"><file source-language="fi"
      target-language="en" datatype="plaintext" original="mini@1"><body>
      <trans-unit id="NOPE.text"><source>x</source><target>y</target></trans-unit>
      </body></file></xliff>""".encode()
    r = await client.post("/api/v1/questionnaires/mini/translations/en", content=xliff, headers=auth)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"item": "trans-unit NOPE.text", "message": "string 'NOPE.text' is not in this questionnaire"}
    ]
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    r = await client.post("/api/v1/questionnaires/mini/translations/en", content=bomb, headers=auth)
    assert r.status_code == 422 and "not a readable XLIFF" in r.json()["detail"]


async def test_changed_source_marks_translations_outdated_until_a_translator_confirms(
    client: AsyncClient, db: Database
) -> None:
    auth = await _auth(db)
    await published(db)
    stale_xliff = (await client.get(
        "/api/v1/questionnaires/mini/versions/1/translations/en", params={"format": "xliff"}, headers=auth
    )).content  # fmt: skip
    q = mini()
    geton = q.sections[0].questions[0]
    changed = msgspec.structs.replace(
        q,
        sections=[
            msgspec.structs.replace(
                q.sections[0],
                questions=[
                    msgspec.structs.replace(geton, text={**geton.text, "fi": "Uusi?"}),
                    *q.sections[0].questions[1:],
                ],
            ),
            *q.sections[1:],
        ],
    )
    async with db.write() as session:
        stored = await store(session, changed, publish=False)
    assert stored.version.definition["languages"]["en"]["outdated"] == ["GETON.text"]
    # a file made before the change brings the old source text: the string stays outdated
    r = await client.post("/api/v1/questionnaires/mini/translations/en", content=stale_xliff, headers=auth)
    assert r.json()["outdated"] == ["GETON.text"] and r.json()["outcome"] == "unchanged"
    fresh = (await client.get(
        "/api/v1/questionnaires/mini/versions/2/translations/en", params={"format": "xliff"}, headers=auth
    )).content  # fmt: skip
    assert b'state="needs-review-translation"' in fresh
    r = await client.post("/api/v1/questionnaires/mini/translations/en", content=fresh, headers=auth)
    assert r.json()["outdated"] == [] and r.json()["outcome"] == "updated draft"
    detail = (await client.get("/api/v1/questionnaires/mini/versions/2", headers=auth)).json()
    assert detail["definition"]["languages"]["en"].get("outdated", []) == []


async def test_translation_page_shows_status_and_confirms_outdated_strings(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "dana", "designer")
    await published(db)
    q = mini()
    async with db.write() as session:
        await store(session, msgspec.structs.replace(q, title={**q.title, "fi": "Uusi nimi"}), publish=False)
    await login(client, "dana")
    page = await client.get("/staff/questionnaires/mini/2/translations")
    assert page.status_code == 200 and "Outdated in English" in page.text and 'value="title"' in page.text
    preview = await client.get("/staff/questionnaires/mini/2/preview", params={"lang": "en"})
    assert '<mark class="outdated">Small survey' in preview.text
    r = await post_form(client, "/staff/questionnaires/mini/2/translations/en/confirm", {"key": "title"})
    assert r.status_code == 303
    assert "Outdated in English" not in (await client.get("/staff/questionnaires/mini/2/translations")).text
    status = await post_form(client, "/staff/questionnaires/mini/2/languages", {"status-en": "approved"})
    assert status.status_code == 303
    assert '<option value="approved" selected>' in (await client.get("/staff/questionnaires/mini/2/translations")).text
