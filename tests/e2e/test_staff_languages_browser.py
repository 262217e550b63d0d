"""The staff side in Finnish and Swedish in real Chromium: signed in with the browser asking for Finnish, and
separately with the language switch set to Swedish, every kind of staff page has the right ``lang`` and
shows no English UI string (the English message ids of the staff catalogue). A wave is created from the
page with the Finnish name "Kysely 2027" and the last day 31.12.2027; a wrong date is explained in Finnish
at the field and in an error summary that has the focus."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from babel.messages.pofile import read_po

from survey_service.db.engine import Database
from survey_service.domain.audit.services import COMMAND_LINE
from survey_service.domain.auth.services import create_user
from survey_service.web import i18n
from tests.conftest import in_thread
from tests.e2e.conftest import DEMO, LETTERS, STAFF_PASSWORD, Server
from tests.e2e.test_staff_browser import QUESTIONNAIRE, _case_id

pytestmark = pytest.mark.browser


def _pages(server: Server, username: str) -> dict[str, str]:
    return {
        "home": "/staff/",
        "users": "/staff/users",
        "user": f"/staff/users/{username}",
        "account": "/staff/account",
        "questionnaires": "/staff/questionnaires",
        "questionnaire": QUESTIONNAIRE,
        "version": f"{QUESTIONNAIRE}/1",
        "preview": f"{QUESTIONNAIRE}/1/preview?lang=fi",
        "diff": f"{QUESTIONNAIRE}/diff?old=1&new=1",
        "translations": f"{QUESTIONNAIRE}/1/translations",
        "waves": "/staff/surveys",
        "monitoring": f"/staff/surveys/{LETTERS}/monitoring",
        "invitations": f"/staff/surveys/{LETTERS}/invitations",
        "entry waves": "/staff/entry",
        "entry form": f"/staff/entry/{DEMO}",
        "results": "/staff/results",
        "audit log": "/staff/audit",
        "feedback inbox": "/staff/feedback",
        "feedback case": f"/staff/feedback/{_case_id(server)}",
        "not found": "/staff/questionnaires/no-such-questionnaire",
    }


def _english(language: str) -> tuple[set[str], set[str]]:
    """English UI strings of the staff side that ``language`` says otherwise: (whole lines, phrases)."""
    with i18n.po_path(language, i18n.STAFF_DOMAIN).open("rb") as f:
        catalog = read_po(f, locale=language)
    lines, phrases = set(), set()
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for english in ids:
            english = re.split(r"%\(\w+\)[sd]", english)  # the text around placeholders
            for part in (p.strip(" :.,–()") for p in english):
                if len(part) > 2 and part not in strings and not any(part in s for s in strings):
                    (phrases if len(part.split()) >= 3 else lines).add(part)
    return lines, phrases


def _leaks(text: str, language: str) -> list[str]:
    lines, phrases = _english(language)
    shown = [line.strip(" :.,–()") for line in re.split(r"[\n\t]", text) if line.strip()]
    return sorted({line for line in shown if line in lines} | {p for p in phrases if p in text})


def _user(server: Server, username: str) -> None:
    async def make() -> None:
        db = Database(f"sqlite+aiosqlite:///{server.db_path}")
        try:
            async with db.write() as session:
                await create_user(session, COMMAND_LINE, username, "admin", STAFF_PASSWORD)
        finally:
            await db.dispose()

    in_thread(asyncio.run, make())


def _sign_in(page: Any, server: Server, username: str) -> None:
    page.fill("#username", username)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form[action='/staff/login'] button[type=submit]")
    page.wait_for_url(f"{server.url}/staff/")


def _visit_every_kind_of_page(page: Any, server: Server, username: str, language: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, path in _pages(server, username).items():
        response = page.goto(server.url + path)
        assert response is not None and response.status in (200, 404), (name, response and response.status)
        lang = page.get_attribute("html", "lang")
        leaks = _leaks(page.inner_text("body"), language)
        if lang != language or leaks:
            found[name] = (lang, leaks)
    return found


def test_signed_in_with_a_finnish_browser_every_staff_page_is_finnish(browser: Any, server: Server) -> None:
    _user(server, "e2e-fi")
    ctx = browser.new_context(locale="fi-FI")
    page = ctx.new_page()
    try:
        page.goto(f"{server.url}/staff/login")
        assert page.get_attribute("html", "lang") == "fi" and _leaks(page.inner_text("body"), "fi") == []
        _sign_in(page, server, "e2e-fi")
        assert _visit_every_kind_of_page(page, server, "e2e-fi", "fi") == {}
    finally:
        ctx.close()


def test_with_the_switch_set_to_swedish_every_staff_page_is_swedish(browser: Any, server: Server) -> None:
    _user(server, "e2e-sv")
    ctx = browser.new_context(locale="en-GB")
    page = ctx.new_page()
    try:
        page.goto(f"{server.url}/staff/login")
        assert page.get_attribute("html", "lang") == "en"
        page.click("form[action='/staff/language'] button[value=sv]")
        assert page.get_attribute("html", "lang") == "sv" and "Logga in" in page.inner_text("h1")
        _sign_in(page, server, "e2e-sv")
        assert _visit_every_kind_of_page(page, server, "e2e-sv", "sv") == {}
    finally:
        ctx.close()


def test_a_wave_from_a_finnish_name_and_date_and_a_wrong_date_explained_in_finnish(
    browser: Any, server: Server
) -> None:
    _user(server, "e2e-waves")
    ctx = browser.new_context(locale="fi-FI")
    page = ctx.new_page()
    try:
        page.goto(f"{server.url}/staff/login")
        _sign_in(page, server, "e2e-waves")
        page.goto(f"{server.url}/staff/surveys")
        page.fill("#slug", "Kysely 2027")
        page.fill("#year", "2027")
        page.fill("#closes", "31.31.2027")
        page.click("form[action='/staff/surveys'] button[type=submit]")
        assert page.evaluate("document.activeElement.id") == "error-summary"
        message = "Tätä päivää ei ole kalenterissa. Kirjoita päivämäärä muodossa 31.12.2027."
        assert page.inner_text("#error-summary a[href='#closes']") == message
        assert message in page.inner_text("#closes-error")
        page.fill("#closes", "31.12.2027")
        page.click("form[action='/staff/surveys'] button[type=submit]")
        assert page.input_value("#slug") == "kysely-2027" and page.input_value("#name") == "Kysely 2027"
        assert "kysely-2027" in page.inner_text(".notice")
        page.click("form[action='/staff/surveys'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/staff/surveys/\?created=kysely-2027$"))
        row = page.inner_text("tr:has-text('kysely-2027')")
        assert "Kysely 2027" in row and "31.12.2027" in row and "vastaanottaa vastauksia" in row
    finally:
        ctx.close()
