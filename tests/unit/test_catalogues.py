"""UI catalogues: every language has every message, placeholders intact, drafts marked, nothing left out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from survey_service.languages import SUPPORTED
from survey_service.web import i18n
from survey_service.web.templating import render

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
REVIEWED = {"fi", "sv", "en"}


def extracted(config: str) -> set[str]:
    """Message ids in the code and templates now, found the way `make messages` finds them (``config``:
    babel.cfg for the resident catalogue, babel-staff.cfg for the staff one)."""
    with (ROOT / config).open() as f:
        method_map, options = parse_mapping_cfg(f, config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(ROOT, method_map, options):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(code: str):  # type: ignore[no-untyped-def]
    with i18n.po_path(code).open("rb") as f:
        return read_po(f, locale=i18n.BABEL_LOCALE.get(code, code))


def test_template_catalogue_lists_every_message_of_the_code_and_templates() -> None:
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        pot = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert extracted("babel.cfg") == pot, "run `make messages` and translate the new strings"


@pytest.mark.parametrize("code", list(SUPPORTED))
def test_catalogue_translates_every_message_with_its_placeholders(code: str) -> None:
    catalog = _catalog(code)
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        wanted = [m for m in read_po(f) if m.id]
    for m in wanted:
        got = catalog.get(m.id)
        assert got is not None and not got.fuzzy, f"{code}: {m.id!r} missing"
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = got.string if isinstance(got.string, tuple) else (got.string,)
        if isinstance(m.id, tuple):
            assert len(strings) == catalog.num_plurals, f"{code}: {m.id[0]!r} needs {catalog.num_plurals} forms"
        assert all(s.strip() for s in strings), f"{code}: {ids[0]!r} untranslated"
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) <= expected, f"{code}: {ids[0]!r} has unknown placeholders"
            if not isinstance(m.id, tuple):
                assert set(PLACEHOLDER.findall(s)) == expected, f"{code}: {ids[0]!r} lost a placeholder"


@pytest.mark.parametrize("code", list(SUPPORTED))
def test_unreviewed_catalogues_say_they_are_drafts(code: str) -> None:
    header = i18n.po_path(code).read_text(encoding="utf-8").split('msgid ""')[0]
    assert ("DRAFT" in header) is (code not in REVIEWED)


def test_pages_are_translated_and_plural_rules_follow_the_language() -> None:
    i18n.catalogues.cache_clear()
    html = render("resident/message.html", "ar", lang="ar", dir="rtl", kind="thanks", survey=None, languages=[])
    assert "شكرًا على إجاباتك" in html
    with i18n.use_language("ru"):
        assert i18n.ngettext("Choose at most %(num)d option.", "Choose at most %(num)d options.", 3) % {"num": 3} == (
            "Выберите не более 3 вариантов."
        )
    with i18n.use_language("fi-x-selko"):
        assert i18n.gettext("Next") == "Seuraava"
