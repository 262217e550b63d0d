"""The HTML report in real Chromium: axe-core finds no WCAG 2.1 A/AA violation in Finnish or English,
and the charts are drawn (SVG with size and bars), with a screenshot kept for people to look at."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from survey_service.results.render import render_html
from survey_service.results.schema import Report
from tests.browser import axe_violations, chromium_page
from tests.helpers import ROOT

REPORTS = ROOT / "tests" / "data" / "reports"
pytestmark = pytest.mark.browser


def _report(language: str) -> Report:
    return msgspec.json.decode((REPORTS / f"synthetic-wave2.{language}.json").read_bytes(), type=Report)


@pytest.mark.parametrize("language", ["fi", "en"])
def test_report_has_no_axe_violations(language: str, tmp_path: Path) -> None:
    page_file = tmp_path / f"report-{language}.html"
    page_file.write_text(render_html(_report(language)))
    with chromium_page() as page:
        page.goto(page_file.as_uri())
        assert page.evaluate("document.documentElement.lang") == language
        violations = axe_violations(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_charts_render_with_bars_and_a_screenshot_shows_them(tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(_report("en")))
    with chromium_page() as page:
        page.goto(page_file.as_uri())
        charts = page.locator("svg.chart")
        assert charts.count() >= 4  # the summary and one chart per indicator
        first = charts.first
        box = first.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 60
        widths = page.evaluate("[...document.querySelectorAll('svg.chart rect.bar')].map(r => r.getBBox().width)")
        assert len(widths) >= 3 and all(w > 0 for w in widths)
        assert first.get_attribute("role") == "img"
        title = page.evaluate("document.querySelector('svg.chart title').textContent")
        assert title.startswith("Headline indicators")
        shot = tmp_path / "report-charts.png"
        first.screenshot(path=str(shot))
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
