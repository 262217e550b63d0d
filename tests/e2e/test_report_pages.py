"""The HTML report in real Chromium: axe-core finds no WCAG 2.1 A/AA violation in Finnish or English,
and the charts are drawn (SVG with size and bars), with a screenshot kept for people to look at."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest

from survey_service.db.engine import Database
from survey_service.results.render import render_html
from survey_service.results.schema import Report
from tests.e2e.conftest import Server, axe_violations
from tests.helpers import ROOT

REPORTS = ROOT / "tests" / "data" / "reports"
pytestmark = pytest.mark.browser


def _report(language: str) -> Report:
    return msgspec.json.decode((REPORTS / f"synthetic-wave2.{language}.json").read_bytes(), type=Report)


def _open(browser: Any, path: Path, html: str) -> Any:
    path.write_text(html)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(path.as_uri())
    return page


@pytest.mark.parametrize("language", ["fi", "en"])
def test_report_has_no_axe_violations(browser: Any, language: str, tmp_path: Path) -> None:
    page = _open(browser, tmp_path / f"report-{language}.html", render_html(_report(language)))
    assert page.evaluate("document.documentElement.lang") == language
    assert axe_violations(page) == []
    page.close()


def test_charts_render_with_bars_and_a_screenshot_shows_them(browser: Any, tmp_path: Path) -> None:
    page = _open(browser, tmp_path / "report.html", render_html(_report("en")))
    charts = page.locator("svg.chart")
    assert charts.count() >= 4  # the summary and one chart per indicator
    first = charts.first
    box = first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 60
    widths = page.evaluate("[...document.querySelectorAll('svg.chart rect.bar')].map(r => r.getBBox().width)")
    assert len(widths) >= 3 and all(w > 0 for w in widths)
    assert first.get_attribute("role") == "img"
    assert page.evaluate("document.querySelector('svg.chart title').textContent").startswith("Headline indicators")
    shot = tmp_path / "report-charts.png"
    first.screenshot(path=str(shot))
    page.close()
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_staff_results_page_has_no_axe_violations(browser: Any, server: Server) -> None:
    """The Results page as an administrator sees it (every form shown), served by the app under its CSP."""
    from tests.conftest import in_thread
    from tests.helpers import PASSWORD, staff_user

    async def admin() -> None:
        db = Database(f"sqlite+aiosqlite:///{server.db_path}")
        try:
            await staff_user(db, "results-admin", "admin")
        finally:
            await db.dispose()

    in_thread(asyncio.run, admin())
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.goto(f"{server.url}/staff/login")
    page.fill("#username", "results-admin")
    page.fill("#password", PASSWORD)
    page.click("form[action='/staff/login'] button[type=submit]")
    page.goto(f"{server.url}/staff/results/")
    assert page.locator("h1").inner_text() == "Results"
    assert page.locator("form[action$='/imports']").count() >= 1
    assert axe_violations(page) == []
    context.close()
