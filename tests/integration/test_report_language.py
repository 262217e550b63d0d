"""Reports and exports speak the report's language: the Finnish report and the SPSS file of the shipped
questionnaire's demo plan carry no English label (UI strings, question and choice texts, scale names,
weighting variables or waves by code)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.pofile import read_po

from survey_service.db.engine import Database
from survey_service.domain.exports.services import export_to
from survey_service.domain.plans.services import create_demo
from survey_service.domain.questionnaires.services import store
from survey_service.domain.reports.services import make_report, report_input
from survey_service.questionnaire.loader import load
from survey_service.questionnaire.schema import Questionnaire, answer_choices
from survey_service.results.render import render_html
from tests.conftest import ROOT

REPORT_PO = ROOT / "survey_service" / "results" / "locale"


def _english(q: Questionnaire, language: str) -> set[str]:
    """Texts that are English only: report UI strings and the questionnaire's texts, where the ``language``
    text differs, plus the codes that must not stand in for labels."""
    with (REPORT_PO / language / "LC_MESSAGES" / "report.po").open("rb") as f:
        catalog = read_po(f)
    found = {m.id for m in catalog if isinstance(m.id, str) and m.string and m.string != m.id and "%" not in m.id}

    def add(text: dict[str, str] | None) -> None:
        if text and text.get("en") and text.get("en") != text.get(language):
            found.add(text["en"])

    for question in q.questions():
        add(question.text)
        for choice in answer_choices(question):
            add(choice.label)
        for statement in getattr(question, "statements", []):
            add(statement.text)
    for recode in q.derived:
        add(recode.text)
        for label in recode.labels.values():
            add(label)
    for text in q.scales.values():
        add(text)
    found |= set(q.reporting_groups) | set(q.scales) | {"chosen", "not chosen"}
    return {t for t in found if len(t) > 2}


def _visible_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>|<script.*?</script>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


async def test_finnish_report_and_spss_file_have_no_english_label(db: Database, tmp_path: Path) -> None:
    q = load(ROOT / "questionnaires" / "good-relations")
    async with db.write() as session:
        await store(session, q, publish=True)
    async with db.write() as session:
        _plan, waves, _created = await create_demo(session)
    slugs = [w.slug for w in waves]
    async with db.read() as session:
        inp = await report_input(session, slugs[-1], "fi")
    english = _english(q, "fi")
    text = _visible_text(render_html(make_report(inp)))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    leaks = sorted({e for e in english for line in lines if re.search(rf"(?<!\w){re.escape(e)}(?!\w)", line)})
    assert leaks == [], leaks
    assert not any(slug in text for slug in slugs), "waves are named by title and year, not by slug"
    assert "Suhtautuminen maahanmuuttoon" in text and "Kieliryhmä äidinkielen mukaan" in text

    import pyreadstat

    sav = tmp_path / "demo.sav"
    await export_to(db, slugs[-1], "sav", sav)
    _frame, meta = pyreadstat.read_sav(str(sav), metadataonly=True)
    labels = [label for label in meta.column_names_to_labels.values() if label]
    values = [v for mapping in meta.variable_value_labels.values() for v in mapping.values()]
    leaked = sorted({e for e in english for label in [*labels, *values] if e == label or e in label.split(": ")})
    assert leaked == [], leaked
    assert {"valittu", "ei valittu"} <= set(values)
    assert "Vastauskieli" in labels
