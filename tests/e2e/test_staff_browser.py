"""The staff pages in real headless Chromium: signed in as an administrator, every kind of staff page has
no axe-core WCAG 2.1 A/AA violations — sign-in, start page, accounts, questionnaires (version, preview in
a right-to-left language, diff, translations), waves, monitoring, paper entry with an error and after
saving, invitations with their letters (on the page and as a printed file), the audit log and the
feedback inbox and case. The letters print one per page with nothing else; the CSV downloads from the
page that created it."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import FeedbackCase, Survey
from survey_service.domain.invitations.letters import letters_document
from survey_service.domain.invitations.services import create_invitations
from tests.conftest import in_thread
from tests.e2e.conftest import DEMO, LETTERS, STAFF_PASSWORD, STAFF_USER, Server, axe_violations

pytestmark = pytest.mark.browser
QUESTIONNAIRE = "/staff/questionnaires/good-relations"


def _signed_in(browser: Any, server: Server, bypass_csp: bool = True) -> tuple[Any, Any]:
    # axe is injected as an inline script, which the pages' Content-Security-Policy would refuse
    ctx = browser.new_context(bypass_csp=bypass_csp, accept_downloads=True)
    page = ctx.new_page()
    page.goto(f"{server.url}/staff/login")
    page.fill("#username", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form[action='/staff/login'] button[type=submit]")
    page.wait_for_url(f"{server.url}/staff/")
    return ctx, page


def _case_id(server: Server) -> str:
    async def first() -> str:
        db = Database(f"sqlite+aiosqlite:///{server.db_path}")
        try:
            async with db.read() as session:
                return str((await session.scalars(select(FeedbackCase.id).order_by(FeedbackCase.created_on))).first())
        finally:
            await db.dispose()

    return in_thread(asyncio.run, first())


def test_staff_pages_have_no_axe_violations(browser: Any, server: Server) -> None:
    found: dict[str, list[str]] = {}
    anonymous = browser.new_context(bypass_csp=True)
    login = anonymous.new_page()
    login.goto(f"{server.url}/staff/login")
    found["login"] = axe_violations(login)
    login.fill("#username", STAFF_USER)
    login.fill("#password", "not the password")
    login.click("form[action='/staff/login'] button[type=submit]")
    found["login with an error"] = axe_violations(login)
    anonymous.close()
    ctx, page = _signed_in(browser, server)
    pages = {
        "home": "/staff/",
        "users": "/staff/users",
        "user": f"/staff/users/{STAFF_USER}",
        "account": "/staff/account",
        "questionnaires": "/staff/questionnaires",
        "questionnaire": QUESTIONNAIRE,
        "version": f"{QUESTIONNAIRE}/1",
        "preview (right to left)": f"{QUESTIONNAIRE}/1/preview?lang=ar",
        "diff": f"{QUESTIONNAIRE}/diff?old=1&new=1",
        "translations": f"{QUESTIONNAIRE}/1/translations",
        "waves": "/staff/surveys",
        "monitoring (invitation wave)": f"/staff/surveys/{LETTERS}/monitoring",
        "monitoring (open wave)": f"/staff/surveys/{DEMO}/monitoring",
        "invitations form": f"/staff/surveys/{LETTERS}/invitations",
        "entry waves": "/staff/entry",
        "audit log": "/staff/audit",
        "feedback inbox": "/staff/feedback",
        "feedback case": f"/staff/feedback/{_case_id(server)}",
    }
    try:
        for name, path in pages.items():
            response = page.goto(server.url + path)
            assert response is not None and response.status == 200, (name, response and response.status)
            found[name] = axe_violations(page)
    finally:
        ctx.close()
    assert {what: v for what, v in found.items() if v} == {}


def test_paper_entry_shows_errors_accessibly_and_saves(browser: Any, server: Server) -> None:
    found: dict[str, list[str]] = {}
    ctx, page = _signed_in(browser, server)
    try:
        page.goto(f"{server.url}/staff/entry/{LETTERS}?lang=sv")
        assert page.get_attribute("#f-GETON_AREA", "name") == "GETON_AREA"
        found["entry form"] = axe_violations(page)
        page.fill("#f-code", "AAAA-AAAA-AAAA")
        page.check("#f-GETON_AREA")
        page.click(f"form[method=post][action='/staff/entry/{LETTERS}'] button[type=submit]")
        assert page.locator("#error-summary").count() == 1
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert page.is_checked("#f-GETON_AREA")  # what was entered stays
        assert page.get_attribute("#f-code", "aria-invalid") == "true"
        found["entry with an error"] = axe_violations(page)
        page.fill("#f-code", "")
        page.check("#f-mode-interview")
        page.click(f"form[method=post][action='/staff/entry/{LETTERS}'] button[type=submit]")
        assert "Enter the next one." in page.inner_text(".notice")
        assert page.is_checked("#f-mode-interview") and not page.is_checked("#f-GETON_AREA")
        found["entry saved"] = axe_violations(page)
    finally:
        ctx.close()
    assert {what: v for what, v in found.items() if v} == {}


def test_invitation_letters_download_print_and_pass_axe(browser: Any, server: Server, tmp_path: Path) -> None:
    found: dict[str, list[str]] = {}
    ctx, page = _signed_in(browser, server)
    try:
        page.goto(f"{server.url}/staff/surveys/{LETTERS}/invitations")
        page.fill("#count", "2")
        page.check("#letters")
        page.click(f"form[action='/staff/surveys/{LETTERS}/invitations'] button[type=submit]")
        assert page.locator("article.letter").count() == 2
        found["created, with letters"] = axe_violations(page)
        page.emulate_media(media="print")
        assert page.locator(".screen-only").first.is_hidden() and page.locator(".site-header").is_hidden()
        breaks = page.eval_on_selector_all("article.letter", "els => els.map(e => getComputedStyle(e).breakAfter)")
        assert breaks == ["page", "auto"]
        page.emulate_media(media="screen")
        document = tmp_path / "letters.html"
        document.write_text(in_thread(asyncio.run, _letters_file(server)), encoding="utf-8")
        page.goto(document.as_uri())
        assert page.locator("article.letter").count() == 3
        found["letters file"] = axe_violations(page)
    finally:
        ctx.close()
    assert {what: v for what, v in found.items() if v} == {}


def test_the_csv_downloads_from_the_creating_page_under_its_security_policy(browser: Any, server: Server) -> None:
    ctx, page = _signed_in(browser, server, bypass_csp=False)
    try:
        page.goto(f"{server.url}/staff/surveys/{LETTERS}/invitations")
        page.fill("#count", "2")
        page.check("#letters")
        page.click(f"form[action='/staff/surveys/{LETTERS}/invitations'] button[type=submit]")
        with page.expect_download() as download:
            page.click("a[download]")
        assert download.value.suggested_filename.startswith(f"invitations-{LETTERS}-")
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
        assert [r["code"] for r in rows] == page.locator(".letter-code").all_inner_texts()
        assert all(r["link"] in page.content() for r in rows)
    finally:
        ctx.close()


async def _letters_file(server: Server) -> str:
    db = Database(f"sqlite+aiosqlite:///{server.db_path}")
    try:
        async with db.write() as session:
            survey = (await session.scalars(select(Survey).where(Survey.slug == LETTERS))).one()
            issued = await create_invitations(session, survey, 3, [{"language": x} for x in ("fi", "sv", "ar")])
            return letters_document(survey, issued, server.url)
    finally:
        await db.dispose()
