"""The report's HTML: every chart has a text alternative and a table with the same numbers, numbers
are written the way each language writes them, and the synthetic banner and withheld cells show."""

from __future__ import annotations

import re

import msgspec

from survey_service.results.render import percent, render_html, translations
from survey_service.results.schema import Report
from tests.helpers import ROOT

REPORTS = ROOT / "tests" / "data" / "reports"


def _report(language: str = "en") -> Report:
    return msgspec.json.decode((REPORTS / f"synthetic-wave2.{language}.json").read_bytes(), type=Report)


def test_every_chart_has_a_title_a_description_and_a_table_after_it() -> None:
    html = render_html(_report())
    charts = re.findall(r'<svg[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', html)
    assert len(charts) == 4
    for ids in charts:
        title_id, desc_id = ids.split()
        assert f'<title id="{title_id}">' in html and f'<desc id="{desc_id}">' in html
    desc = re.search(r'<desc id="chart-summary-d">([^<]+)</desc>', html)
    assert desc is not None and "71.8" in desc.group(1)
    assert html.count("<figure") == html.count("</figure>") == 4
    assert html.count("<table") >= 4 + 9


def test_numbers_follow_the_report_language() -> None:
    assert percent(0.71724, "fi") == "71,7\u00a0%"
    assert percent(0.71724, "en") == "71.7\u00a0%"
    assert percent(None, "sv") == "–"
    fi = render_html(_report("fi"))
    assert '<html lang="fi"' in fi and "71,8\u00a0%" in fi and "Pääindikaattorit" in fi
    sv = render_html(_report("sv"))
    assert '<html lang="sv"' in sv and "Huvudindikatorer" in sv


def test_synthetic_reports_say_so_at_the_top_and_the_bottom() -> None:
    html = render_html(_report())
    assert html.count("Synthetic demo data.") == 2
    real = msgspec.structs.replace(_report(), synthetic=False)
    assert "Synthetic demo data." not in render_html(real)


def test_withheld_rows_show_no_numbers_and_unweighted_waves_say_so() -> None:
    r = _report()
    first = r.estimates[0]
    hidden = msgspec.structs.replace(first, estimate=None, se=None, ci_low=None, ci_high=None, suppressed=True)
    weighting = msgspec.structs.replace(r.weighting, method="unweighted", variables=[], margins={})
    html = render_html(msgspec.structs.replace(r, estimates=[hidden, *r.estimates[1:]], weighting=weighting))
    assert "withheld" in html
    assert "Unweighted: no population margins were set for this wave." in html


def test_every_ui_string_is_translated_into_finnish_and_swedish() -> None:
    from babel.messages.pofile import read_po

    for language in ("fi", "sv"):
        path = ROOT / "survey_service" / "results" / "locale" / language / "LC_MESSAGES" / "report.po"
        with path.open("rb") as f:
            catalog = read_po(f)
        untranslated = [m.id for m in catalog if m.id and not m.string]
        assert untranslated == [], language
        assert translations(language).gettext("Change") != "Change"


def test_the_methods_appendix_states_where_results_differ_from_r_survey() -> None:
    for language, words in (
        ("en", ("R's survey package gives 0", "Clopper–Pearson", "na.rm = TRUE", "20%", "no degrees of freedom")),
        ("fi", ("R:n survey-paketti antaa 0", "Clopper–Pearson", "na.rm = TRUE", "20 %", "vapausasteita")),
        ("sv", ("R:s survey-paket ger 0", "Clopper–Pearson", "na.rm = TRUE", "20 %", "frihetsgrader")),
    ):
        html = render_html(_report(language))
        methods = html[html.index('<section id="methods"') :]
        methods = methods[: methods.index("</section>")]
        for word in words:
            assert word in methods, (language, word)
        assert 'calibrate(calfun = "raking")' in methods.replace("&#34;", '"')
        assert "%%" not in methods


def test_inline_css_for_files_and_a_link_for_the_web_app() -> None:
    r = _report()
    assert "<style>" in render_html(r)
    linked = render_html(r, inline_css=False, css_url="/results-static/report.css")
    assert "<style>" not in linked and 'href="/results-static/report.css"' in linked
