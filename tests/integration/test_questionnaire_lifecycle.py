"""Questionnaire lifecycle for staff: import (XLSForm or YAML) into drafts, preview, publish, new drafts
from old versions, diffs and exports — over the API (bearer) and the staff pages (session + CSRF)."""

from __future__ import annotations

import io
import re

import msgspec
from httpx import AsyncClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from survey_service.db.engine import Database
from survey_service.db.models import AuditEvent, QuestionnaireVersion
from survey_service.questionnaire.schema import canonical_json
from survey_service.questionnaire.xlsform import from_xlsform, to_xlsform
from tests.helpers import TEST_QUESTIONNAIRES, api_token, login, mini, post_form, staff_user

YAML = (TEST_QUESTIONNAIRES / "mini" / "questionnaire.yaml").read_bytes()


async def _designer(client: AsyncClient, db: Database) -> dict[str, str]:
    await staff_user(db, "dana", "designer")
    return {"Authorization": f"Bearer {await api_token(db, 'dana')}"}


async def _versions(db: Database) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.count()).select_from(QuestionnaireVersion))).scalar_one())


async def test_import_publish_and_identical_reimport_over_the_api(client: AsyncClient, db: Database) -> None:
    auth = await _designer(client, db)
    r = await client.post("/api/v1/questionnaires/import", params={"filename": "mini.yaml"}, content=YAML, headers=auth)
    assert r.status_code == 201, r.text
    assert r.json() == {"slug": "mini", "version": 1, "status": "draft", "outcome": "created"}
    xlsx = to_xlsform(mini())
    again = await client.post(
        "/api/v1/questionnaires/import", params={"filename": "mini.xlsx"}, content=xlsx, headers=auth
    )
    assert again.json()["outcome"] == "unchanged"  # the same definition, whatever the format
    published = await client.post("/api/v1/questionnaires/mini/versions/1/publish", headers=auth)
    assert published.status_code == 200 and published.json()["status"] == "published"
    twice = await client.post("/api/v1/questionnaires/mini/versions/1/publish", headers=auth)
    assert twice.status_code == 409
    gone = await client.delete("/api/v1/questionnaires/mini/versions/1", headers=auth)
    assert gone.status_code == 409 and "can never be deleted" in gone.json()["detail"]
    async with db.read() as session:
        actions = (await session.scalars(select(AuditEvent.action).order_by(AuditEvent.occurred_at))).all()
    assert [a for a in actions if a.startswith("questionnaire.")] == ["questionnaire.import", "questionnaire.publish"]


async def test_publishing_at_import_needs_the_publish_permission(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "ana", "analyst")
    auth = {"Authorization": f"Bearer {await api_token(db, 'ana')}"}
    r = await client.post("/api/v1/questionnaires/import", params={"publish": "true"}, content=YAML, headers=auth)
    assert r.status_code == 403
    await staff_user(db, "dana", "designer")
    auth = {"Authorization": f"Bearer {await api_token(db, 'dana')}"}
    r = await client.post("/api/v1/questionnaires/import", params={"publish": "true"}, content=YAML, headers=auth)
    assert r.status_code == 201 and r.json()["status"] == "published"


async def test_bad_workbook_is_refused_with_located_errors_and_nothing_stored(
    client: AsyncClient, db: Database
) -> None:
    auth = await _designer(client, db)
    wb = load_workbook(io.BytesIO(to_xlsform(mini())))
    wb["survey"]["A4"] = "geopoint"
    wb["choices"]["B3"] = "=2"
    out = io.BytesIO()
    wb.save(out)
    r = await client.post(
        "/api/v1/questionnaires/import", params={"filename": "bad.xlsx"}, content=out.getvalue(), headers=auth
    )
    assert r.status_code == 422
    items = [e["item"] for e in r.json()["errors"]]
    assert items == ["bad.xlsx: sheet choices, row 3: column name"]  # cells first, then structure
    wb["choices"]["B3"] = 2
    out = io.BytesIO()
    wb.save(out)
    r = await client.post(
        "/api/v1/questionnaires/import", params={"filename": "bad.xlsx"}, content=out.getvalue(), headers=auth
    )
    assert [e["item"] for e in r.json()["errors"]] == ["bad.xlsx: sheet survey, row 4: column type"]
    assert await _versions(db) == 0


async def test_incomplete_translation_can_be_a_draft_but_not_published(client: AsyncClient, db: Database) -> None:
    auth = await _designer(client, db)
    wb = load_workbook(io.BytesIO(to_xlsform(mini())))
    ws = wb["survey"]
    en = [c.value for c in ws[1]].index("label::English (en)") + 1
    ws.cell(4, en).value = None  # GETON has no English text
    out = io.BytesIO()
    wb.save(out)
    r = await client.post(
        "/api/v1/questionnaires/import", params={"filename": "m.xlsx"}, content=out.getvalue(), headers=auth
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"
    refused = await client.post("/api/v1/questionnaires/mini/versions/1/publish", headers=auth)
    assert refused.status_code == 422
    assert {"item": "question GETON: text.en", "message": "missing text in language 'en'"} in refused.json()["errors"]
    status = await client.get("/api/v1/questionnaires/mini/versions/1/translations", headers=auth)
    en_row = next(row for row in status.json() if row["language"] == "en")
    assert en_row["missing"] == 1 and en_row["translated"] == en_row["total"] - 1


async def test_new_draft_from_an_old_version_then_diff(client: AsyncClient, db: Database) -> None:
    auth = await _designer(client, db)
    await client.post("/api/v1/questionnaires/import", params={"publish": "true"}, content=YAML, headers=auth)
    r = await client.post("/api/v1/questionnaires/mini/versions/1/new-draft", headers=auth)
    assert r.status_code == 201 and r.json()["number"] == 2 and r.json()["status"] == "draft"
    conflict = await client.post("/api/v1/questionnaires/mini/versions/1/new-draft", headers=auth)
    assert conflict.status_code == 409
    q = mini()
    changed = msgspec.structs.replace(q, title={**q.title, "fi": "Uusi nimi"})
    edit = await client.post(
        "/api/v1/questionnaires/import", params={"filename": "m.xlsx"}, content=to_xlsform(changed), headers=auth
    )
    assert edit.json() == {"slug": "mini", "version": 2, "status": "draft", "outcome": "updated draft"}
    diff = (await client.get("/api/v1/questionnaires/mini/diff", params={"old": 1, "new": 2}, headers=auth)).json()
    assert {
        "item": "questionnaire",
        "field": "title",
        "language": "fi",
        "change": "changed",
        "old": "Pieni kysely",
        "new": "Uusi nimi",
    } in diff["changes"]
    # the English title was not touched while the Finnish source changed: it is now outdated
    assert {"item": "questionnaire", "field": "languages.en.outdated", "change": "added", "new": "title"} in diff[
        "changes"
    ]
    detail = (await client.get("/api/v1/questionnaires/mini/versions/2", headers=auth)).json()
    assert detail["definition"]["languages"]["en"]["outdated"] == ["title"]


async def test_export_of_any_version_round_trips(client: AsyncClient, db: Database) -> None:
    auth = await _designer(client, db)
    await client.post("/api/v1/questionnaires/import", params={"publish": "true"}, content=YAML, headers=auth)
    r = await client.get("/api/v1/questionnaires/mini/versions/1/xlsform", headers=auth)
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="mini-v1.xlsx"'
    assert canonical_json(from_xlsform(r.content)) == canonical_json(mini())


async def test_staff_pages_import_preview_publish_and_diff(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "dana", "designer")
    await login(client, "dana")
    files = {"file": ("mini.xlsx", to_xlsform(mini()), "application/octet-stream")}
    check = await post_form(client, "/staff/questionnaires/import", files=files)
    assert check.status_code == 200 and "What mini.xlsx maps to" in check.text and await _versions(db) == 0
    r = await post_form(client, "/staff/questionnaires/import", _confirmation(check.text))
    assert r.status_code == 303 and r.headers["location"] == "/staff/questionnaires/mini/1?done=imported"
    page = await client.get("/staff/questionnaires/mini/1?done=imported")
    assert page.status_code == 200 and "The definition was imported." in page.text and "Publish version 1" in page.text
    preview = await client.get("/staff/questionnaires/mini/1/preview", params={"lang": "en"})
    assert preview.status_code == 200 and "Do you know" not in preview.text and "Do people get on well?" in preview.text
    untranslated = await client.get("/staff/questionnaires/mini/1/preview", params={"lang": "sv"})
    assert '<mark class="untranslated">Tulevatko ihmiset toimeen?' in untranslated.text
    published = await post_form(client, "/staff/questionnaires/mini/1/publish")
    assert published.status_code == 303
    assert "it can never change" in (await client.get("/staff/questionnaires/mini/1")).text
    again = await post_form(client, "/staff/questionnaires/import", files=files)
    again = await post_form(client, "/staff/questionnaires/import", _confirmation(again.text))
    assert again.headers["location"].endswith("done=unchanged")
    draft = await post_form(client, "/staff/questionnaires/mini/1/new-draft")
    assert draft.headers["location"] == "/staff/questionnaires/mini/2?done=draft"
    diff = await client.get("/staff/questionnaires/mini/diff", params={"old": 1, "new": 2})
    assert "The two versions are identical." in diff.text
    xlsx = await client.get("/staff/questionnaires/mini/2/xlsform")
    assert canonical_json(from_xlsform(xlsx.content)) == canonical_json(mini())
    deleted = await post_form(client, "/staff/questionnaires/mini/2/delete")
    assert deleted.status_code == 303 and await _versions(db) == 1


def _confirmation(html: str) -> dict[str, str]:
    """The hidden fields of the import page's confirmation form (the workbook it carries)."""
    form = html[html.index('aria-labelledby="mapped-heading">') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    fields.pop("_csrf_token", None)
    return fields


async def test_import_page_shows_what_a_workbook_maps_to_and_asks_for_unknown_languages(
    client: AsyncClient, db: Database
) -> None:
    await staff_user(db, "dana", "designer")
    await login(client, "dana")
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in (
        ["type", "name", "label", "label::Klingon", "$kuid"],
        ["start", "start"],
        ["text", "greeting", "Hello?", "nuqneH?", "x1"],
    ):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    files = {"file": ("kobo_hello.xlsx", out.getvalue(), "application/octet-stream")}
    asked = await post_form(client, "/staff/questionnaires/import", {"unnamed_language": "en"}, files=files)
    assert asked.status_code == 422 and "is not a language name this service knows" in asked.text
    assert 'name="code:Klingon"' in asked.text and 'name="workbook"' in asked.text
    carried = dict(re.findall(r'<input type="hidden" name="(workbook|filename)" value="([^"]*)">', asked.text))
    check = await post_form(
        client, "/staff/questionnaires/import", {**carried, "unnamed_language": "en", "code:Klingon": "tlh"}
    )
    assert check.status_code == 200 and await _versions(db) == 0
    for shown in (
        "What kobo_hello.xlsx maps to",
        "kobo-hello: Kobo hello",
        "<li>en (named label), source language</li>",
        "<li>tlh (named Klingon)</li>",
        "<li>Kobo hello: 1 (questions outside any group)</li>",
        "<li>sheet survey, column $kuid</li>",
        "<li>sheet survey, row 2: start</li>",
        "greeting takes at most 1000 characters",
    ):
        assert shown in check.text, shown
    r = await post_form(client, "/staff/questionnaires/import", _confirmation(check.text))
    assert r.status_code == 303 and r.headers["location"] == "/staff/questionnaires/kobo-hello/1?done=imported"
    assert await _versions(db) == 1


async def test_page_import_of_a_bad_file_shows_an_error_summary(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "dana", "designer")
    await login(client, "dana")
    bad = YAML.replace(b"show_if: \"CONTACT != 'never'\"", b'show_if: "CONTACT = 1"')
    r = await post_form(client, "/staff/questionnaires/import", files={"file": ("mini.yaml", bad, "text/yaml")})
    assert r.status_code == 422
    assert 'class="error-summary"' in r.text and "question CONTACT_GOOD" in r.text and "use == to compare" in r.text
    assert await _versions(db) == 0


async def test_analyst_sees_but_cannot_change_questionnaires(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "dana", "designer")
    await staff_user(db, "ana", "analyst")
    auth = {"Authorization": f"Bearer {await api_token(db, 'dana')}"}
    await client.post("/api/v1/questionnaires/import", content=YAML, headers=auth)
    await login(client, "ana")
    page = await client.get("/staff/questionnaires/mini/1")
    assert page.status_code == 200 and "Publish version" not in page.text and "Delete this draft" not in page.text
    assert (await post_form(client, "/staff/questionnaires/mini/1/publish")).status_code == 403
