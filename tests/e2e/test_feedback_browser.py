"""The resident feedback form in real headless Chromium: no axe-core WCAG 2.1 A/AA violations in Arabic
(right to left) and Finnish — on the form, with errors, on the receipt and on the status page — and it
can be sent with JavaScript turned off."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.e2e.conftest import Server, axe_violations

pytestmark = pytest.mark.browser

TEXTS = {
    "ar": "تعرضت لمعاملة غير عادلة في المركز الصحي بسبب لغتي.",
    "fi": "Terveysasemalla minua ei palveltu, koska en puhu suomea hyvin.",
}


def stored(server: Server, text: str) -> list[tuple[str, str, str]]:
    with sqlite3.connect(server.db_path) as conn:
        return conn.execute("SELECT language, topic, kind FROM feedback_case WHERE text = ?", (text,)).fetchall()


@pytest.mark.parametrize("lang", ["ar", "fi"])
def test_feedback_pages_have_no_axe_violations(browser: Any, server: Server, lang: str) -> None:
    ctx = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = ctx.new_page()
    found: dict[str, list[str]] = {}
    try:
        page.goto(f"{server.url}/feedback?lang={lang}")
        assert page.get_attribute("html", "lang") == lang
        assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        found["form"] = axe_violations(page)
        page.check("#f-reply")
        page.click("form[action='/feedback'] button[type=submit]")
        assert page.locator("#error-summary").count() == 1
        assert page.evaluate("document.activeElement.id") == "error-summary"  # the summary takes the focus
        found["form with errors"] = axe_violations(page)
        page.check("#f-topic-4")
        page.check("#f-kind")
        page.fill("#f-text", TEXTS[lang] + " (axe)")
        page.uncheck("#f-reply")
        page.click("form[action='/feedback'] button[type=submit]")
        code = page.locator(".resume-code").inner_text()
        found["receipt"] = axe_violations(page)
        page.goto(f"{server.url}/feedback/status?lang={lang}")
        page.fill("#f-code", code)
        page.click("form[action='/feedback/status'] button[type=submit]")
        assert page.locator("h2").count() == 3  # status, reply, and the code field
        found["status"] = axe_violations(page)
    finally:
        ctx.close()
    assert {what: v for what, v in found.items() if v} == {}


@pytest.mark.parametrize("lang", ["ar", "fi"])
def test_feedback_can_be_sent_without_javascript(browser: Any, server: Server, lang: str) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    try:
        page.goto(f"{server.url}/feedback?lang={lang}")
        page.check("#f-topic-4")  # health and social services
        page.check("#f-kind")  # discrimination
        page.fill("#f-text", TEXTS[lang])
        page.click("form[action='/feedback'] button[type=submit]")
        page.wait_for_load_state()
        code = page.locator(".resume-code").inner_text()
        assert len(code) == 19 and code.count("-") == 3
        assert page.get_attribute("html", "lang") == lang
    finally:
        ctx.close()
    assert stored(server, TEXTS[lang]) == [(lang, "health_social", "discrimination")]
