"""The report as HTML (accessible, charts as inline SVG with the numbers also as tables) and as PDF.

One template renders both: the PDF is WeasyPrint's print of the same HTML (pure Python with Debian's
Pango; no browser). UI strings come from gettext catalogues (``results/locale/<lang>/LC_MESSAGES/
report.po``, compiled in memory on first use) in Finnish, Swedish and English.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from survey_service.languages import endonym
from survey_service.results.schema import EstimateRow, Report

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
LOCALE = HERE / "locale"
CSS = HERE.parent / "web" / "static" / "css" / "report.css"
LANGUAGES = ("fi", "sv", "en")


@cache
def translations(language: str) -> Translations:
    """The report's UI strings in ``language`` (English msgids; unknown languages fall back to English)."""
    po = LOCALE / language / "LC_MESSAGES" / "report.po"
    if not po.is_file():
        return Translations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain="report")


@cache
def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["pct"] = lambda x: percent(x, language)
    env.filters["num"] = lambda x, d=2: number(x, language, d)
    env.filters["pvalue"] = lambda x: pvalue(x, language)
    env.filters["p_is"] = lambda x: p_is(x, language)
    return env


def percent(x: float | None, language: str, digits: int = 1) -> str:
    """A proportion as a percentage in the language's number format (0.634 -> "63,4 %" in Finnish)."""
    if x is None or not math.isfinite(x):
        return "–"
    value = format_decimal(100 * x, format=f"0.{'0' * digits}", locale=language)
    return f"{value}\u00a0%"


def number(x: float | None, language: str, digits: int = 2) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return format_decimal(x, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=language)


def pvalue(p: float | None, language: str) -> str:
    if p is None or not math.isfinite(p):
        return "–"
    if p < 0.001:
        return "< " + format_decimal(0.001, format="0.000", locale=language)
    return format_decimal(p, format="0.000", locale=language)


def p_is(p: float | None, language: str) -> str:
    """ "p = 0.012" or "p < 0.001"."""
    text = pvalue(p, language)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


# -- charts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # proportion 0-1, None when withheld
    low: float | None
    high: float | None
    note: str = ""


BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 230
PLOT_WIDTH = 360
VALUE_WIDTH = 70
# colours as presentation attributes, so that the SVG looks the same without the stylesheet (PDF)
BAR, INK, MUTED, GRID = "#00507a", "#1b1b1b", "#4a4a4a", "#d0d0d0"


def bar_chart(chart_id: str, title: str, description: str, bars: Iterable[Bar], language: str) -> Markup:
    """A horizontal bar chart (0-100 %) with 95% interval whiskers, as accessible inline SVG: role img,
    a title and a description naming every value; the same numbers are also printed in a table.
    Long labels (question texts) go above their bars, short ones (group names) beside them."""
    items = list(bars)
    stacked = any(len(b.label) > 30 for b in items)
    label_width = 0 if stacked else LABEL_WIDTH
    row = BAR_HEIGHT + GAP + (18 if stacked else 0)
    height = len(items) * row + 30
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    plot = width - VALUE_WIDTH - label_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'font-size="13" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{_esc(title)}</title>',
        f'<desc id="{chart_id}-d">{_esc(description)}</desc>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = label_width + tick * plot
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 22}" stroke="{GRID}"/>')
        anchor = "start" if tick == 0 and stacked else "middle"
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{height - 6}" text-anchor="{anchor}" font-size="11" fill="{MUTED}">'
            f"{int(tick * 100)}</text>"
        )
    for i, bar in enumerate(items):
        top = i * row + 4
        if stacked:
            parts.append(f'<text class="label" x="0" y="{top + 12}">{_esc(bar.label)}</text>')
            y = top + 18
        else:
            y = top
            baseline = y + BAR_HEIGHT * 0.7
            label = _esc(bar.label)
            parts.append(
                f'<text class="label" x="{label_width - 8}" y="{baseline:.1f}" text-anchor="end">{label}</text>'
            )
        if bar.value is None:
            parts.append(
                f'<text class="value" x="{label_width + 4}" y="{y + BAR_HEIGHT * 0.7:.1f}">{_esc(bar.note)}</text>'
            )
            continue
        w = max(bar.value, 0.0) * plot
        parts.append(
            f'<rect class="bar" x="{label_width}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" fill="{BAR}"/>'
        )
        if bar.low is not None and bar.high is not None:
            x1, x2 = label_width + bar.low * plot, label_width + bar.high * plot
            mid = y + BAR_HEIGHT / 2
            parts.append(f'<line class="ci" x1="{x1:.1f}" y1="{mid:.1f}" x2="{x2:.1f}" y2="{mid:.1f}" stroke="{INK}"/>')
            for x in (x1, x2):
                parts.append(
                    f'<line class="ci" x1="{x:.1f}" y1="{mid - 6:.1f}" x2="{x:.1f}" y2="{mid + 6:.1f}" stroke="{INK}"/>'
                )
        value = _esc(percent(bar.value, language))
        parts.append(f'<text class="value" x="{label_width + plot + 8}" y="{y + BAR_HEIGHT * 0.7:.1f}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped with _esc


def _esc(text: str) -> str:
    return str(Markup.escape(text))


# -- view model -----------------------------------------------------------------------------------------


class View:
    """Lookups and charts the template needs over a :class:`Report`."""

    def __init__(self, report: Report, language: str) -> None:
        self.r = report
        self.language = language
        self._ = translations(language).gettext
        self.items = {i.code: i for i in report.items}
        self._rows: dict[tuple[Any, ...], EstimateRow] = {}
        for e in report.estimates:
            self._rows[(e.item, e.statistic, _key(e.category), e.group_variable, _key(e.group_category))] = e

    def row(
        self, item: str, statistic: str, category: Any = None, group: str | None = None, level: Any = None
    ) -> EstimateRow | None:
        return self._rows.get((item, statistic, _key(category), group, _key(level)))

    def indicators(self) -> list[str]:
        return list(dict.fromkeys(e.item for e in self.r.estimates if e.statistic == "indicator"))

    def means(self) -> list[str]:
        return list(dict.fromkeys(e.item for e in self.r.estimates if e.statistic == "mean"))

    def share_items(self) -> list[str]:
        return list(dict.fromkeys(e.item for e in self.r.estimates if e.statistic == "share"))

    def categories(self, item: str) -> list[Any]:
        return list(dict.fromkeys(e.category for e in self.r.estimates if e.item == item and e.statistic == "share"))

    def levels(self, group: str) -> list[Any]:
        """The group's categories that have results, in the questionnaire's order."""
        present = {str(e.group_category): e.group_category for e in self.r.estimates if e.group_variable == group}
        order = list(self.r.groups.get(group, {}))
        return [present[k] for k in sorted(present, key=lambda k: order.index(k) if k in order else len(order))]

    def group_label(self, group: str, level: Any) -> str:
        return self.r.groups.get(group, {}).get(str(level), str(level))

    def group_title(self, group: str) -> str:
        return self.r.group_titles.get(group, group)

    def language_name(self, code: str) -> str:
        return endonym(code)

    def choice_label(self, item: str, code: Any) -> str:
        info = self.items.get(item)
        return info.choices.get(str(code), str(code)) if info else str(code)

    def text(self, item: str) -> str:
        info = self.items.get(item)
        return info.text if info else self._("Domain index %(scale)s (0–100)") % {"scale": self.scale(item)}

    def scale(self, name: str) -> str:
        """A multi-item scale by its name in the questionnaire (its code when it has none)."""
        return self.r.scale_titles.get(name, name)

    def wave(self, slug: str) -> str:
        """A wave by its title and year."""
        return self.r.wave_titles.get(slug, slug)

    def variable(self, code: str) -> str:
        """A variable (e.g. a weighting variable) by its question text or label in the report language."""
        if code in self.r.group_titles:
            return self.r.group_titles[code]
        info = self.items.get(code)
        return info.label if info else code

    def variables(self, codes: Iterable[str]) -> str:
        return "; ".join(self.variable(c) for c in codes)

    def label(self, item: str, limit: int = 90) -> str:
        """A chart label: short, cut with an ellipsis (the table below the chart has the full text)."""
        info = self.items.get(item)
        text = info.label if info else self.text(item)
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    def heading(self) -> str:
        """The title, with the year unless the title already names it."""
        return self.r.title if str(self.r.year) in self.r.title else f"{self.r.title} {self.r.year}"

    def caution(self, e: EstimateRow | None) -> bool:
        return e is not None and not e.suppressed and isinstance(e.n, int) and e.n < self.r.disclosure.caution_base

    def _bar(self, label: str, e: EstimateRow | None) -> Bar:
        if e is None or e.suppressed or e.estimate is None:
            return Bar(label, None, None, None, self._("withheld"))
        return Bar(label, e.estimate, e.ci_low, e.ci_high)

    def _describe(self, title: str, bars: list[Bar]) -> str:
        lang = self.language
        parts = [
            f"{b.label}: {percent(b.value, lang)} ({percent(b.low, lang)}–{percent(b.high, lang)})"
            if b.value is not None
            else f"{b.label}: {b.note}"
            for b in bars
        ]
        return f"{title}. " + "; ".join(parts) + "."

    def summary_chart(self) -> Markup:
        title = self._("Headline indicators: favourable answers, all respondents")
        bars = [self._bar(self.label(i), self.row(i, "indicator")) for i in self.indicators()]
        return bar_chart("chart-summary", title, self._describe(title, bars), bars, self.language)

    def group_chart(self, item: str, n: int) -> Markup:
        title = self._("%(item)s by group") % {"item": self.text(item)}
        bars = [self._bar(self._("All respondents"), self.row(item, "indicator"))]
        for g in self.r.reporting_groups:
            for level in self.levels(g):
                bars.append(self._bar(self.group_label(g, level), self.row(item, "indicator", None, g, level)))
        return bar_chart(f"chart-group-{n}", title, self._describe(title, bars), bars, self.language)


def _key(x: Any) -> str | None:
    return None if x is None else str(x)


def render_html(report: Report, *, inline_css: bool = True, css_url: str | None = None) -> str:
    """The report page. ``inline_css`` embeds the stylesheet (files and PDF); the web app links it
    instead (``css_url``), as its Content-Security-Policy allows no inline styles."""
    language = report.language if report.language in LANGUAGES else "en"
    env = _environment(language)
    template = env.get_template("report.html")
    return template.render(
        r=report,
        v=View(report, language),
        lang=language,
        css=CSS.read_text() if inline_css else None,
        css_url=css_url,
    )


def render_pdf(report: Report) -> bytes:
    """The PDF: WeasyPrint's print (the stylesheet's print rules) of the same HTML."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(report), base_url=str(HERE)).write_pdf()
    return pdf
