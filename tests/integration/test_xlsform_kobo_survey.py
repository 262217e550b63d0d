"""A Kobo-style XLSForm (flat, two languages, or_other, constraint and required messages, ${name} piping, no
settings sheet) imported on the staff page, published, fielded and answered in both languages; layouts and
defaults from a workbook on the resident page."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import text

from survey_service.db.engine import Database
from survey_service.domain.questionnaires.services import latest_version
from survey_service.domain.surveys.services import create_survey
from survey_service.questionnaire.xlsform import from_xlsform
from tests.helpers import login, post_form, published, staff_user
from tests.xlsform_forms import kobo_form, workbook

BASE = "/s/pulse-2026"


async def _field_the_kobo_form(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "dana", "designer")
    await login(client, "dana")
    files = {"file": ("kouvola_pulse.xlsx", kobo_form(), "application/octet-stream")}
    check = await post_form(client, "/staff/questionnaires/import", {"publish": "yes"}, files=files)
    assert check.status_code == 200 and "What kouvola_pulse.xlsx maps to" in check.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text))
    fields.pop("_csrf_token", None)
    published = await post_form(client, "/staff/questionnaires/import", fields)
    assert published.status_code == 303
    assert published.headers["location"] == "/staff/questionnaires/kouvola-pulse/1?done=published"
    async with db.write() as session:
        version = await latest_version(session, "kouvola-pulse")
        assert version is not None and version.status == "published"
        await create_survey(session, slug="pulse-2026", version=version, year=2026)
    client.cookies.clear()  # residents are not signed in


async def _answer(client: AsyncClient, step: str, data: dict[str, Any], lang: str) -> Response:
    await client.get("/")  # the CSRF cookie, as a browser's first visit sets it
    token = str(client.cookies.get("csrftoken"))
    return await client.post(f"{BASE}/p/{step}", data={**data, "lang": lang, "action": "next", "_csrf_token": token})


def _text(response: Response) -> str:
    return html.unescape(response.text)


async def _stored(db: Database) -> list[dict[str, Any]]:
    async with db.read() as session:
        rows = (await session.execute(text("SELECT language, answers FROM response WHERE status = 'complete'"))).all()
    answers = [(r.language, r.answers if isinstance(r.answers, dict) else json.loads(r.answers)) for r in rows]
    return sorted(({"language": language, **given} for language, given in answers), key=lambda r: r["language"])


async def test_kobo_form_is_answered_in_both_languages_with_its_messages_and_piping(
    client: AsyncClient, db: Database
) -> None:
    await _field_the_kobo_form(client, db)

    # English: the form's own required and constraint messages, then the earlier answers piped in.
    first = await client.get(f"{BASE}/p/questions?lang=en")
    assert first.status_code == 200 and 'class="choices layout-horizontal"' in first.text
    assert "Other" in first.text and "Where do you live?" in first.text
    missing = await _answer(client, "questions", {}, "en")
    assert missing.status_code == 422 and "Please choose an area" in _text(missing)
    r = await _answer(client, "questions", {"area": "north"}, "en")
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}/p/questions-2?lang=en"
    page = await client.get(r.headers["location"])
    assert "How old are you?" in page.text and "Please specify" not in page.text  # "other" was not chosen
    young = await _answer(client, "questions-2", {"age": "14"}, "en")
    assert young.status_code == 422 and "You must be at least 15" in _text(young)
    r = await _answer(client, "questions-2", {"age": "30"}, "en")
    assert r.headers["location"] == f"{BASE}/p/questions-3?lang=en"
    piped = _text(await client.get(r.headers["location"]))
    assert "Do you like living in North?" in piped and "You are 30" in piped and "${" not in piped
    r = await _answer(client, "questions-3", {"likes": "yes"}, "en")
    assert r.headers["location"] == f"{BASE}/review?lang=en"
    review = _text(await client.get(r.headers["location"]))
    assert "Do you like living in North?" in review and "${" not in review
    token = str(client.cookies.get("csrftoken"))
    done = await client.post(f"{BASE}/submit", data={"lang": "en", "_csrf_token": token})
    assert done.status_code == 303

    # Finnish, another resident: "other, please specify" and the Finnish messages and piping.
    client.cookies.clear()
    missing = await _answer(client, "questions", {}, "fi")
    assert missing.status_code == 422 and "Valitse alue" in _text(missing)
    r = await _answer(client, "questions", {"area": "other"}, "fi")
    page = _text(await client.get(r.headers["location"]))
    assert "Tarkenna" in page and "Kuinka vanha olet?" in page
    young = await _answer(client, "questions-2", {"area_other": "Keskusta", "age": "12"}, "fi")
    assert young.status_code == 422 and "Sinun pitää olla vähintään 15" in _text(young)
    r = await _answer(client, "questions-2", {"area_other": "Keskusta", "age": "41"}, "fi")
    piped = _text(await client.get(r.headers["location"]))
    assert "Viihdytkö alueella Muu?" in piped and "Olet 41" in piped
    r = await _answer(client, "questions-3", {"likes": "no"}, "fi")
    token = str(client.cookies.get("csrftoken"))
    done = await client.post(f"{BASE}/submit", data={"lang": "fi", "_csrf_token": token})
    assert done.status_code == 303

    assert await _stored(db) == [
        {"language": "en", "area": "north", "age": 30, "likes": "yes"},
        {"language": "fi", "area": "other", "area_other": "Keskusta", "age": 41, "likes": "no"},
    ]


async def test_drop_down_layout_and_defaults_from_the_workbook_reach_the_resident_page(
    client: AsyncClient, db: Database
) -> None:
    data = workbook(
        [
            ["type", "name", "label::English (en)", "appearance", "default"],
            ["select_one areas", "area", "Where?", "minimal", "south"],
            ["integer", "people", "How many people live with you?", "", "2"],
        ],
        [["list_name", "name", "label::English (en)"], ["areas", "north", "North"], ["areas", "south", "South"]],
    )
    version = await published(db, from_xlsform(data, "drop_down.xlsx"))
    async with db.write() as session:
        await create_survey(session, slug="drop-2026", version=await session.merge(version), year=2026)
    page = await client.get("/s/drop-2026/p/questions?lang=en")
    assert page.status_code == 200
    assert '<label for="f-area">Where?</label>' in page.text and '<select id="f-area" name="area"' in page.text
    assert '<option value="south" selected>South</option>' in page.text
    assert 'name="people" value="2"' in page.text
