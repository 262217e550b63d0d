"""Residents answering the default survey in real headless Chromium: every page type passes axe-core's
WCAG 2.1 A/AA rules in every language; whole surveys in Finnish (keyboard only), Arabic (right to left)
and Somali, with a skip-logic branch, a validation error and a language switch; and without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from survey_service.languages import SUPPORTED
from tests.e2e.conftest import DEMO, LETTERS, Server, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    yield ctx
    ctx.close()


def check(page: Any, what: str, seen: dict[str, list[str]]) -> None:
    violations = axe_violations(page)
    if violations:
        seen[what] = violations


def next_page(page: Any) -> None:
    page.click("button[value=next]")
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", list(SUPPORTED))
def test_every_page_type_has_no_axe_violations(browser: Any, server: Server, lang: str) -> None:
    ctx = browser.new_context(bypass_csp=True, extra_http_headers={"Accept-Language": lang})
    page = ctx.new_page()
    base = f"{server.url}/s/{DEMO}"
    found: dict[str, list[str]] = {}
    try:
        for what, url in [
            ("index", f"{server.url}/?lang={lang}"),
            ("language chooser", base),
            ("start", f"{base}?lang={lang}"),
            ("resume", f"{base}/resume?lang={lang}"),
            ("section page", f"{base}/p/attitudes?lang={lang}"),
        ]:
            page.goto(url)
            assert page.get_attribute("html", "lang") == lang
            check(page, what, found)
        page.goto(f"{base}/p/security?lang={lang}")
        page.check("#f-HARASSED-2")
        next_page(page)
        assert "/p/security-2" in page.url
        page.check("#f-HARASS_GROUNDS")
        page.check("#f-HARASS_GROUNDS-13")  # "don't know" cannot be combined with a reason
        next_page(page)
        assert page.locator("#error-summary").count() == 1
        check(page, "page with errors", found)
        page.uncheck("#f-HARASS_GROUNDS-13")
        page.click("button[value=save]")
        check(page, "saved", found)
        page.goto(f"{base}/review?lang={lang}")
        check(page, "review", found)
        page.click("form[action$='/submit'] button")
        assert "/thanks" in page.url
        check(page, "thank-you", found)
        page.goto(f"{server.url}/s/{LETTERS}?token={server.used_token}&lang={lang}")
        assert page.locator("h1").count() == 1
        check(page, "already answered", found)
        page.goto(f"{server.url}/s/{LETTERS}?lang={lang}")
        page.fill("#f-code", "WRONG")
        page.click("form[action$='/code'] button")
        check(page, "invitation code with an error", found)
    finally:
        ctx.close()
    assert found == {}, found


def tab_to(page: Any, selector: str, limit: int = 400) -> None:
    """Press Tab until the element matching ``selector`` has the focus (keyboard only, no mouse)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {selector} with the Tab key")


def choose_with_keyboard(page: Any, code: str, position: int) -> None:
    """Select the ``position``-th (1-based) radio of a question: Tab into the group, arrows to move."""
    tab_to(page, f"input[name={code}]")
    if position == 1:
        page.keyboard.press("Space")
    for _ in range(position - 1):
        page.keyboard.press("ArrowDown")


def press_enter_on(page: Any, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def press_next(page: Any) -> None:
    press_enter_on(page, "button[value=next]")


def test_finnish_keyboard_only_with_skip_logic_and_a_validation_error(context: Any, server: Server) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/s/{DEMO}?lang=fi")
    press_enter_on(page, "a.button")
    assert "/p/attitudes" in page.url
    choose_with_keyboard(page, "GETON_AREA", 2)
    choose_with_keyboard(page, "PPLTRST", 8)  # the 0-10 scale: 7
    press_next(page)
    assert "/p/security" in page.url
    choose_with_keyboard(page, "HARASSED", 3)  # yes, several times: the follow-up page is asked
    press_next(page)
    assert "/p/security-2" in page.url
    tab_to(page, "#f-HARASS_GROUNDS-4")
    page.keyboard.press("Space")  # language
    tab_to(page, "#f-HARASS_GROUNDS-13")
    page.keyboard.press("Space")  # "en osaa sanoa" together with a reason: an error
    press_next(page)
    assert page.title().startswith("Virhe: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    tab_to(page, "#error-summary a")
    page.keyboard.press("Enter")  # the summary link takes the focus to the field
    assert page.evaluate("location.hash") == "#f-HARASS_GROUNDS"
    tab_to(page, "#f-HARASS_GROUNDS-13")
    page.keyboard.press("Space")
    press_next(page)
    assert "/p/interaction" in page.url
    choose_with_keyboard(page, "CONTACT_FREQ", 7)  # never (the last): the contact quality question is skipped
    press_next(page)
    assert page.locator("[name=CONTACT_QUALITY]").count() == 0
    while "/review" not in page.url:
        press_next(page)
    assert page.locator("h1").inner_text() == "Tarkista vastauksesi"
    press_enter_on(page, "form[action$='/submit'] button")
    assert page.locator("h1").inner_text() == "Kiitos vastauksistasi"
    mine = [r for r in server.responses() if r["answers"].get("HARASS_GROUNDS") == ["language"]]
    assert len(mine) == 1
    answers = mine[0]["answers"]
    assert mine[0]["language"] == "fi" and answers["PPLTRST"] == 7 and answers["GETON_AREA"] == 2
    assert answers["CONTACT_FREQ"] == 1 and "CONTACT_QUALITY" not in answers


def test_arabic_right_to_left_with_mirrored_scales_and_progress(context: Any, server: Server) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/s/{DEMO}?lang=ar")
    assert page.get_attribute("html", "dir") == "rtl"
    page.click("a.button")
    scale_start = page.locator("label[for=f-IMBGECO]").bounding_box()
    scale_end = page.locator("label[for=f-IMBGECO-11]").bounding_box()
    assert scale_start["x"] > scale_end["x"], "0 sits at the right edge of a right-to-left scale"
    page.check("#f-IMBGECO-6")
    next_page(page)
    progress = page.locator(".progress li")
    assert progress.first.bounding_box()["x"] > progress.last.bounding_box()["x"]
    page.check("#f-HARASSED")  # no: the follow-up page is skipped
    next_page(page)
    assert "/p/interaction" in page.url
    page.check("#f-CONTACT_FREQ-3")  # once a week: the quality question is asked on the same page
    next_page(page)
    assert "/p/interaction" in page.url and page.is_checked("#f-CONTACT_FREQ-3")
    assert page.locator("[name=CONTACT_QUALITY]").count() == 11
    page.check("#f-CONTACT_QUALITY-9")
    next_page(page)
    assert "/p/participation" in page.url
    page.goto(f"{server.url}/s/{DEMO}/p/discrimination?lang=ar")
    page.check("#f-DISC_SHOP")  # yes: the discrimination follow-up is asked
    next_page(page)
    assert "/p/discrimination_followup" in page.url
    page.check("#f-DISC_GROUNDS")
    page.check("input[name=DISC_GROUNDS][data-exclusive]")
    next_page(page)
    assert page.locator(".error-summary a").count() == 1
    page.uncheck("input[name=DISC_GROUNDS][data-exclusive]")
    next_page(page)
    while "/review" not in page.url:
        next_page(page)
    page.click("form[action$='/submit'] button")
    assert page.locator("h1").inner_text() == "شكرًا على إجاباتك"
    mine = [r for r in server.responses() if r["answers"].get("CONTACT_QUALITY") == 8 and r["language"] == "ar"]
    assert len(mine) == 1 and mine[0]["answers"]["IMBGECO"] == 5 and mine[0]["answers"]["HARASSED"] == 1


def test_somali_with_a_language_switch_that_keeps_the_answers(context: Any, server: Server) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/s/{DEMO}?lang=so")
    page.click("a.button")
    page.check("#f-GETON_AREA-4")
    next_page(page)
    page.check("#f-SAFE_DARK-2")
    page.click("nav.languages a[lang=en]")  # switching language saves this page first
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en" and "/p/security" in page.url
    assert page.is_checked("#f-SAFE_DARK-2")
    page.click("nav.languages a[lang=so]")
    page.wait_for_load_state()
    page.goto(f"{server.url}/s/{DEMO}/p/attitudes?lang=so")
    assert page.is_checked("#f-GETON_AREA-4")
    page.goto(f"{server.url}/s/{DEMO}/p/security?lang=so")
    page.check("#f-HARASSED-2")
    next_page(page)
    page.check("#f-HARASS_GROUNDS-2")
    page.check("#f-HARASS_GROUNDS-13")
    next_page(page)
    assert page.locator(".error-summary").count() == 1
    page.uncheck("#f-HARASS_GROUNDS-13")
    next_page(page)
    while "/review" not in page.url:
        next_page(page)
    page.click("form[action$='/submit'] button")
    assert page.locator("h1").inner_text() == "Waad ku mahadsan tahay jawaabahaaga"
    mine = [r for r in server.responses() if r["answers"].get("HARASS_GROUNDS") == ["skin_colour"]]
    assert len(mine) == 1 and mine[0]["language"] == "so"
    assert mine[0]["answers"]["GETON_AREA"] == 4 and mine[0]["answers"]["SAFE_DARK"] == 2


def test_survey_can_be_completed_without_javascript(browser: Any, server: Server) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    try:
        page.goto(f"{server.url}/s/{DEMO}")
        page.click("a[lang=sv]")
        page.click("a.button")
        page.check("#f-GETON_AREA-3")
        next_page(page)
        page.check("#f-HARASSED-2")
        next_page(page)
        page.check("#f-HARASS_GROUNDS-5")
        page.check("#f-HARASS_GROUNDS-13")
        next_page(page)
        assert page.locator(".error-summary").count() == 1
        page.uncheck("#f-HARASS_GROUNDS-13")
        next_page(page)
        while "/review" not in page.url:
            next_page(page)
        page.click("form[action$='/submit'] button")
        assert page.locator("h1").inner_text() == "Tack för dina svar"
    finally:
        ctx.close()
    mine = [r for r in server.responses() if r["answers"].get("HARASS_GROUNDS") == ["religion"]]
    assert len(mine) == 1 and mine[0]["language"] == "sv"
