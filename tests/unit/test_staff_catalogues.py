"""Staff pages' catalogue (staff.po in fi, sv, en): every string of the staff templates and handlers is in it,
every staff language translates all of it, and no staff template or handler shows text outside it.

After adding staff pages or strings: `make messages`, translate the new entries in fi and sv, run this file.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from survey_service.web import i18n
from survey_service.web.templating import TEMPLATES
from tests.unit.test_catalogues import PLACEHOLDER, ROOT, extracted

CONFIG = "babel-staff.cfg"
POT = i18n.LOCALE_DIR / "staff.pot"
# Keyword arguments of staff handlers that reach the page as text.
SHOWN = {"title", "notice", "detail", "message"}


def _pot_ids() -> set[str]:
    with POT.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def _handler_files() -> list[Path]:
    """The Python files babel-staff.cfg extracts from."""
    patterns = [
        line[len("[python: ") : -1] for line in (ROOT / CONFIG).read_text().splitlines() if line.startswith("[python: ")
    ]
    ignored = [
        line[len("[ignore: ") : -1] for line in (ROOT / CONFIG).read_text().splitlines() if line.startswith("[ignore: ")
    ]
    files = {p for pattern in patterns for p in ROOT.glob(pattern)}
    return sorted(p for p in files if not any(p.match(str(ROOT / i)) for i in ignored))


def test_staff_catalogue_lists_every_message_of_the_staff_templates_and_handlers() -> None:
    assert extracted(CONFIG) == _pot_ids(), "run `make messages` and translate the new strings in fi and sv"


@pytest.mark.parametrize("code", i18n.STAFF_LANGUAGES)
def test_every_staff_language_translates_every_staff_message(code: str) -> None:
    with i18n.po_path(code, i18n.STAFF_DOMAIN).open("rb") as f:
        catalog = read_po(f, locale=code)
    with POT.open("rb") as f:
        wanted = [m for m in read_po(f) if m.id]
    for m in wanted:
        got = catalog.get(m.id)
        assert got is not None and not got.fuzzy, f"{code}: {m.id!r} missing from staff.po"
        if code == i18n.FALLBACK:
            continue  # message ids are English
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = got.string if isinstance(got.string, tuple) else (got.string,)
        if isinstance(m.id, tuple):
            assert len(strings) == catalog.num_plurals, f"{code}: {ids[0]!r} needs {catalog.num_plurals} forms"
        assert all(s.strip() for s in strings), f"{code}: {ids[0]!r} untranslated"
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) <= set(PLACEHOLDER.findall(ids[-1])), f"{code}: {ids[0]!r}"
        if not isinstance(m.id, tuple):
            assert set(PLACEHOLDER.findall(strings[0])) == set(PLACEHOLDER.findall(ids[0])), f"{code}: {ids[0]!r}"


def _untranslated_text(source: str) -> list[str]:
    """Words of a template that are not inside a tag, a Jinja expression or statement, or a comment."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    attributes = re.findall(r'\b(?:placeholder|aria-label|title|alt)="([^"]*[A-Za-z]{2}[^"]*)"', source)
    source = re.sub(r"<style.*?</style>", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>", " ", source, flags=re.S)
    source = re.sub(r'[\w-]+="[^"]*"', " ", source)  # attributes written by macros, outside a tag
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", source) if len(w) > 1]
    return words + attributes


@pytest.mark.parametrize("path", sorted((TEMPLATES / "staff").glob("*.html")), ids=lambda p: p.name)
def test_staff_template_shows_no_text_outside_the_catalogue(path: Path) -> None:
    # Format names that read the same in every language are allowed: PDF, JSON, XLSX, XLIFF, CSV.
    words = [w for w in _untranslated_text(path.read_text()) if w not in {"PDF", "JSON", "XLSX", "XLIFF", "CSV"}]
    assert words == [], f"{path.name}: wrap in _() — {words[:10]}"


def _literal_text(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(re.search("[A-Za-z]{2}", node.value))


@pytest.mark.parametrize("path", _handler_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_staff_handler_shows_no_text_outside_the_catalogue(path: Path) -> None:
    """Page titles, notices and messages given to pages are translated (``_()``), not literals."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in SHOWN and _literal_text(kw.value):
                    found.append(f"line {node.lineno}: {kw.arg}=")
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in {"ItemError", "BadRequest", "Unprocessable", "FormRefused"} and any(
                _literal_text(a) for a in node.args[1:] if name == "ItemError"
            ):
                found.append(f"line {node.lineno}: {name}")
    assert found == [], f"{path.name}: untranslated page text at {found}"


def test_staff_pages_translate_into_finnish_and_swedish_with_plurals() -> None:
    i18n.staff_catalogues.cache_clear()
    i18n.use_staff_language("fi")
    assert i18n.gettext("Survey waves") == "Kyselykierrokset"
    assert i18n.ngettext("%(num)d case, newest first", "%(num)d cases, newest first", 1) % {"num": 1} == (
        "1 tapaus, uusin ensin"
    )
    assert i18n.format_day(__import__("datetime").date(2027, 12, 31)) == "31.12.2027"
    i18n.use_staff_language("sv")
    assert i18n.gettext("Sign in") == "Logga in"
    assert i18n.ngettext("%(num)d case, newest first", "%(num)d cases, newest first", 3) % {"num": 3} == (
        "3 ärenden, det nyaste först"
    )
    assert i18n.format_day(__import__("datetime").date(2027, 12, 31)) == "31.12.2027"
    # the frame the staff pages share with the resident pages comes from the resident catalogue
    assert i18n.gettext("Skip to content") != "Skip to content"
    i18n.use_staff_language("en")
