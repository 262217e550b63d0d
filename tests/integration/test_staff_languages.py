"""Staff pages in the staff member's language: the browser's Accept-Language, or the language switch kept on
the account; wave creation with a Finnish name and a Finnish date; a wrong date explained in Finnish at the
field and in the error summary."""

from __future__ import annotations

import re
from datetime import date

from httpx import AsyncClient
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import Survey
from survey_service.domain.surveys.services import day_after
from tests.helpers import login, post_form, published, staff_user

FI = {"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.5"}


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    return found.group(1) if found else ""


async def test_staff_pages_follow_the_browsers_language(client: AsyncClient, db: Database) -> None:
    fi = await client.get("/staff/login", headers=FI)
    assert _lang(fi.text) == "fi" and "Kirjaudu sisään" in fi.text
    sv = await client.get("/staff/login", headers={"Accept-Language": "sv-FI, en;q=0.8"})
    assert _lang(sv.text) == "sv" and "Logga in" in sv.text
    other = await client.get("/staff/login", headers={"Accept-Language": "de-DE"})
    assert _lang(other.text) == "en" and "Sign in" in other.text


async def test_the_language_switch_is_remembered_on_the_account(
    client: AsyncClient, db: Database, settings: object
) -> None:
    await staff_user(db, "sanna", "designer")
    await login(client, "sanna")
    switched = await post_form(client, "/staff/language", {"language": "sv", "next": "/staff/surveys/"})
    assert switched.status_code == 303 and switched.headers["location"] == "/staff/surveys/"
    page = await client.get("/staff/surveys/", headers=FI)
    assert _lang(page.text) == "sv" and "Enkätomgångar" in page.text
    # Another browser, asking for Finnish: the account's choice wins once signed in.
    client.cookies.clear()
    before = await client.get("/staff/login", headers=FI)
    assert _lang(before.text) == "fi"
    await login(client, "sanna")
    after = await client.get("/staff/", headers=FI)
    assert _lang(after.text) == "sv" and "Personalens sidor" in after.text
    refused = await post_form(client, "/staff/language", {"language": "de"})
    assert refused.status_code == 400


async def test_wave_from_a_finnish_name_and_last_day(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "dana", "designer")
    await published(db)
    await login(client, "dana")
    form = {"slug": "Kysely 2027", "questionnaire": "mini@1", "year": "2027", "closes": "31.12.2027"}
    shown = await post_form(client, "/staff/surveys", form, headers=FI)
    # The name becomes a short name shown for confirmation, not an error.
    assert shown.status_code == 200 and "error-summary" not in shown.text
    assert 'id="slug" name="slug" value="kysely-2027"' in shown.text
    assert 'name="name" value="Kysely 2027"' in shown.text and "kysely-2027" in shown.text
    created = await post_form(
        client, "/staff/surveys", {**form, "slug": "kysely-2027", "name": "Kysely 2027"}, headers=FI
    )
    assert created.status_code == 303, created.text
    async with db.read() as session:
        wave = (await session.scalars(select(Survey).where(Survey.slug == "kysely-2027"))).one()
    # open to the end of 31.12.2027 in Helsinki
    assert wave.closes_at == day_after(date(2027, 12, 31)) and wave.title["fi"] == "Kysely 2027"
    listing = await client.get("/staff/surveys/", headers=FI)
    assert "Kysely 2027" in listing.text and "31.12.2027" in listing.text


async def test_a_wrong_date_is_explained_in_finnish_at_the_field_and_in_the_summary(
    client: AsyncClient, db: Database
) -> None:
    await staff_user(db, "dana", "designer")
    await published(db)
    await login(client, "dana")
    form = {"slug": "kysely-2027", "questionnaire": "mini@1", "year": "2027", "closes": "31.13.2027"}
    refused = await post_form(client, "/staff/surveys", form, headers=FI)
    assert refused.status_code == 400
    html = refused.text
    message = "Tätä päivää ei ole kalenterissa. Kirjoita päivämäärä muodossa 31.12.2027."
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert "autofocus" in summary and f'<a href="#closes">{message}</a>' in summary
    assert f'id="closes-error"><span class="visually-hidden">Virhe:</span> {message}' in html
    assert 'aria-describedby="closes-hint closes-error" aria-invalid="true"' in html
    assert 'value="31.13.2027"' in html  # what was typed stays in the field
    for technical in ("Expected", "$.", "regex", "YYYY"):
        assert technical not in html
    async with db.read() as session:
        assert (await session.scalars(select(Survey))).first() is None


async def test_before_after_dates_and_service_refusals_reach_the_page_in_finnish(
    client: AsyncClient, db: Database
) -> None:
    await staff_user(db, "dana", "designer")
    await published(db)
    await login(client, "dana")
    form = {
        "slug": "kysely-2027",
        "questionnaire": "mini@1",
        "year": "2027",
        "opens": "1.3.2027",
        "closes": "2027-01-01",
    }
    refused = await post_form(client, "/staff/surveys", form, headers=FI)
    assert refused.status_code == 400
    assert "Viimeinen päivä ei voi olla ennen ensimmäistä päivää." in refused.text
    assert "closes must not" not in refused.text and "$." not in refused.text
