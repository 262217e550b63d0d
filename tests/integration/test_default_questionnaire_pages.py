"""The shipped questionnaire's pages over HTTP: a follow-up revealed next to the question it refers to, no
answers kept from respondents under 18, the thank-you page's way to feedback, and Persian digits."""

from __future__ import annotations

import json
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import text

from survey_service.db.engine import Database
from survey_service.domain.surveys.services import create_survey
from survey_service.questionnaire.loader import load
from tests.helpers import ROOT, count_rows, published

DEFAULT = ROOT / "questionnaires" / "good-relations"
SLUG = "good-relations-2026"
BASE = f"/s/{SLUG}"


async def _open(db: Database) -> None:
    version = await published(db, load(DEFAULT))
    async with db.write() as session:
        version = await session.merge(version)
        await create_survey(session, slug=SLUG, version=version, year=2026)


async def post(client: AsyncClient, url: str, data: dict[str, Any]) -> Response:
    await client.get("/")  # a safe request sets the CSRF cookie, as a browser's first visit does
    return await client.post(url, data={**data, "_csrf_token": str(client.cookies.get("csrftoken"))})


async def answer(client: AsyncClient, step: str, data: dict[str, Any], lang: str = "en") -> Response:
    return await post(client, f"{BASE}/p/{step}", {**data, "lang": lang, "action": "next"})


async def stored(db: Database) -> list[Any]:
    async with db.read() as session:
        return list((await session.execute(text("SELECT status, answers FROM response"))).all())


def answers_of(row: Any) -> dict[str, Any]:
    return row.answers if isinstance(row.answers, dict) else json.loads(row.answers)


async def test_the_contact_follow_up_is_asked_on_the_same_page_once_contact_is_answered(
    client: AsyncClient, db: Database
) -> None:
    await _open(db)
    page = await client.get(f"{BASE}/p/interaction?lang=en")
    assert 'name="CONTACT_FREQ"' in page.text and 'name="CONTACT_QUALITY"' not in page.text
    r = await answer(client, "interaction", {"FRIENDS_DIFF": "2", "CONTACT_FREQ": "7"})
    assert r.status_code == 303 and r.headers["location"] == f"{BASE}/p/interaction?lang=en"
    again = await client.get(r.headers["location"])
    assert 'name="CONTACT_QUALITY"' in again.text and 'value="7" checked' in again.text
    assert again.text.index('name="CONTACT_FREQ"') < again.text.index('name="CONTACT_QUALITY"')
    r = await answer(client, "interaction", {"FRIENDS_DIFF": "2", "CONTACT_FREQ": "7", "CONTACT_QUALITY": "8"})
    assert r.headers["location"] == f"{BASE}/p/participation?lang=en"
    [row] = await stored(db)
    assert answers_of(row) == {"FRIENDS_DIFF": 2, "CONTACT_FREQ": 7, "CONTACT_QUALITY": 8}


async def test_without_a_contact_answer_the_follow_up_is_not_asked(client: AsyncClient, db: Database) -> None:
    await _open(db)
    r = await answer(client, "interaction", {"FRIENDS_DIFF": "1"})
    assert r.headers["location"] == f"{BASE}/p/participation?lang=en"
    r = await answer(client, "interaction", {"FRIENDS_DIFF": "1", "CONTACT_FREQ": "1"})  # never
    assert r.headers["location"] == f"{BASE}/p/participation?lang=en"


async def test_a_respondent_under_18_is_thanked_and_nothing_is_kept(client: AsyncClient, db: Database) -> None:
    await _open(db)
    await answer(client, "attitudes", {"GETON_AREA": "1", "PPLTRST": "7"}, lang="fi")
    await answer(client, "background", {"AGE_GROUP": "under_18", "AREA": "jaala"}, lang="fi")
    [partial] = await stored(db)
    assert partial.status == "partial" and answers_of(partial)["AGE_GROUP"] == "under_18"
    done = await post(client, f"{BASE}/submit", {"lang": "fi"})
    assert done.status_code == 200 and "Kysely on tarkoitettu 18 vuotta täyttäneille" in done.text
    assert '<a href="/feedback?lang=fi">' in done.text
    assert await count_rows(db, "response", "status = 'complete'") == 0
    assert all(answers_of(row) == {} for row in await stored(db))
    assert "max-age=0" in done.headers["set-cookie"].lower()  # the respondent's session ends here


async def test_the_thank_you_page_points_to_feedback(client: AsyncClient, db: Database) -> None:
    await _open(db)
    await answer(client, "attitudes", {"GETON_AREA": "2"}, lang="sv")
    done = await post(client, f"{BASE}/submit", {"lang": "sv"})
    assert done.status_code == 303
    thanks = await client.get(done.headers["location"])
    assert '<a href="/feedback?lang=sv">Vill du berätta något mer eller få svar? Skicka respons till staden.</a>' in (
        thanks.text
    )
    assert await count_rows(db, "response", "status = 'complete'") == 1


async def test_persian_pages_number_scales_and_pages_in_persian_digits(client: AsyncClient, db: Database) -> None:
    await _open(db)
    page = await client.get(f"{BASE}/p/attitudes?lang=fa")
    assert '<html lang="fa" dir="rtl">' in page.text
    assert '<label for="f-PPLTRST-11">۱۰</label>' in page.text and "۱۰ =" in page.text
    assert ">10<" not in page.text
    await answer(client, "attitudes", {"PPLTRST": "7"}, lang="fa")
    review = await client.get(f"{BASE}/review?lang=fa")
    assert "۷ (۰ = " in review.text and ", ۱۰ = " in review.text
    arabic = await client.get(f"{BASE}/p/attitudes?lang=ar")
    assert '<label for="f-PPLTRST-11">10</label>' in arabic.text
