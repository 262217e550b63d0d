"""The resident feedback pages over HTTP: the form in every language, sending without JavaScript, errors,
the receipt, and reading the status and reply with the code."""

from __future__ import annotations

import re
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import FeedbackCase, FeedbackContact
from survey_service.domain.audit.services import COMMAND_LINE
from survey_service.domain.feedback import services
from survey_service.languages import SUPPORTED
from survey_service.web.i18n import gettext, use_language

RECEIPT = re.compile(r'<p class="resume-code" dir="ltr" translate="no">([0-9A-Z-]{19})</p>')
ARABIC = "تعرضت لمعاملة غير عادلة في المركز الصحي بسبب لغتي."


async def post_form(client: AsyncClient, url: str, data: dict[str, Any]) -> Response:
    await client.get("/feedback")  # a safe request sets the CSRF cookie, as a browser's first visit does
    return await client.post(url, data={**data, "_csrf_token": str(client.cookies.get("csrftoken"))})


async def cases(db: Database) -> list[FeedbackCase]:
    async with db.read() as session:
        return list(await session.scalars(select(FeedbackCase)))


def translated(language: str, message: str) -> str:
    with use_language(language):
        return gettext(message)


@pytest.mark.parametrize("language", list(SUPPORTED))
async def test_form_is_offered_in_every_language(client: AsyncClient, language: str) -> None:
    r = await client.get("/feedback", params={"lang": language})
    assert r.status_code == 200
    direction = "rtl" if language in {"ar", "fa"} else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in r.text
    heading = translated(language, "What is your feedback about?")
    assert heading in r.text and (language == "en" or heading != "What is your feedback about?")
    assert r.text.count('type="radio" id="f-topic') == 9 and r.text.count('name="kind"') == 4
    assert 'name="_csrf_token"' in r.text and 'type="checkbox" id="f-reply"' in r.text
    assert 'href="/feedback?lang=uk" lang="uk"' in r.text  # the language chooser
    assert "<script" not in r.text.split("<form", 1)[1].split("</form>", 1)[0]  # the form needs no script


async def test_form_language_follows_the_browser_when_none_is_asked_for(client: AsyncClient) -> None:
    r = await client.get("/feedback", headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"})
    assert '<html lang="sv" dir="ltr">' in r.text


async def test_the_privacy_notice_gives_the_configured_retention(client: AsyncClient) -> None:
    r = await client.get("/feedback", params={"lang": "en"})
    assert "The text is deleted 24 months after your case is closed." in r.text
    assert "In an emergency, call 112." in r.text


async def test_feedback_sent_in_arabic_without_javascript_gets_a_receipt(client: AsyncClient, db: Database) -> None:
    r = await post_form(
        client,
        "/feedback",
        {"lang": "ar", "topic": "health_social", "kind": "discrimination", "text": ARABIC, "contact": ""},
    )
    assert r.status_code == 201
    assert '<html lang="ar" dir="rtl">' in r.text and translated("ar", "Thank you for your feedback") in r.text
    code = RECEIPT.search(r.text)
    assert code is not None
    [case] = await cases(db)
    assert (case.language, case.topic, case.kind, case.text) == ("ar", "health_social", "discrimination", ARABIC)
    assert case.receipt_hash == services.receipt_hash(code.group(1))
    assert r.headers["cache-control"] == "no-store"


async def test_a_reply_wanted_by_email_stores_the_contact_apart(client: AsyncClient, db: Database) -> None:
    r = await post_form(
        client,
        "/feedback",
        {"lang": "fi", "topic": "library", "kind": "praise", "text": "Kiitos!", "reply": "yes", "contact": "a@b.fi"},
    )
    assert r.status_code == 201
    assert translated("fi", "The reply will also be sent to the email address or phone number you gave.") in r.text
    async with db.read() as session:
        contact = (await session.scalars(select(FeedbackContact))).one()
    assert (contact.kind, contact.value) == ("email", "a@b.fi")


async def test_errors_are_shown_in_the_residents_language_and_nothing_is_stored(
    client: AsyncClient, db: Database
) -> None:
    r = await post_form(client, "/feedback", {"lang": "fa", "kind": "praise", "text": "  ", "reply": "yes"})
    assert r.status_code == 422
    assert r.text.count('<a href="#f-') == 3  # topic, text, contact
    for item, message in (
        ("topic", services.Messages.TOPIC),
        ("text", services.Messages.TEXT_EMPTY),
        ("contact", services.Messages.CONTACT_MISSING),
    ):
        assert f'<a href="#f-{item}">{translated("fa", message)}</a>' in r.text
    assert 'id="f-text" name="text"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="praise" checked' in r.text  # what was chosen stays chosen
    assert r.text.startswith("<!doctype html>") and "<title>" + translated("fa", "Error") in r.text
    assert await cases(db) == []


async def test_a_form_without_the_csrf_token_is_refused(client: AsyncClient, db: Database) -> None:
    await client.get("/feedback")
    r = await client.post("/feedback", data={"lang": "fi", "topic": "other", "kind": "other", "text": "x"})
    assert r.status_code == 403
    assert await cases(db) == []


async def test_status_page_shows_status_and_reply_but_never_the_text(client: AsyncClient, db: Database) -> None:
    sent = await post_form(
        client, "/feedback", {"lang": "uk", "topic": "housing", "kind": "suggestion", "text": "Мій секрет"}
    )
    code = RECEIPT.search(sent.text).group(1)  # type: ignore[union-attr]
    r = await post_form(client, "/feedback/status", {"lang": "uk", "code": code.lower()})
    assert r.status_code == 200
    assert translated("uk", "Received, waiting to be handled") in r.text
    assert translated("uk", "There is no reply yet.") in r.text
    assert "Мій секрет" not in r.text and code not in r.text

    async with db.write() as session:
        case = (await session.scalars(select(FeedbackCase))).one()
        await services.reply(session, case, "Дякуємо!\nРозглянемо.", actor=COMMAND_LINE)
    r = await post_form(client, "/feedback/status", {"lang": "uk", "code": code})
    assert translated("uk", "Answered") in r.text and "Дякуємо!<br>Розглянемо." in r.text


async def test_status_page_with_an_unknown_code_says_so(client: AsyncClient) -> None:
    r = await post_form(client, "/feedback/status", {"lang": "so", "code": "0000-0000-0000-0000"})
    assert r.status_code == 404
    message = translated("so", "No feedback was found with this code. Check the code and try again.")
    assert f'<a href="#f-code">{message}</a>' in r.text


async def test_resident_index_links_to_the_feedback_form(client: AsyncClient) -> None:
    r = await client.get("/", params={"lang": "et"})
    assert 'href="/feedback?lang=et"' in r.text
