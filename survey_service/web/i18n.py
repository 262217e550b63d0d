"""UI translations: gettext catalogues (Babel .po files) compiled in memory at start-up, one per language.

Catalogues live in ``web/locale/<code>/LC_MESSAGES/messages.po``; message ids are English. The language of
the page being rendered is held in a context variable, so the Jinja environment (newstyle gettext) and
Python code (error messages) translate into the same language without passing it around.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from survey_service.languages import SUPPORTED

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
FALLBACK = "en"
# Language variants whose grammar (plural rules) is that of another locale.
BABEL_LOCALE = {"fi-x-selko": "fi"}

# Digits shown to residents: Persian (Extended Arabic-Indic) digits in Persian, as Persian print and
# schooling use them; Western digits everywhere else, Arabic included (the Arabic questionnaire and the
# Finnish letters, phone numbers and codes residents copy from use them). Babel gives the separators of
# the numbering system; it does not change digits, so they are mapped here.
NUMBERING = {"fa": "arabext"}
_DIGITS = {"arabext": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")}

_current: ContextVar[gettext_module.NullTranslations] = ContextVar("translations")
_language: ContextVar[str] = ContextVar("language", default=FALLBACK)


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def _compile(code: str) -> gettext_module.NullTranslations:
    path = po_path(code)
    if not path.is_file():
        return gettext_module.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=BABEL_LOCALE.get(code, code).replace("-", "_"))
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


@lru_cache(maxsize=1)
def catalogues() -> dict[str, gettext_module.NullTranslations]:
    """Every UI language's translations, compiled once per process."""
    return {code: _compile(code) for code in SUPPORTED}


def ui_language(code: str) -> str:
    """The UI language to use for a questionnaire language (English when there is no catalogue)."""
    return code if code in SUPPORTED else FALLBACK


@contextmanager
def use_language(code: str) -> Iterator[None]:
    """Translate into ``code`` inside the block (templates and ``gettext`` alike)."""
    token = _current.set(catalogues()[ui_language(code)])
    language = _language.set(code)
    try:
        yield
    finally:
        _language.reset(language)
        _current.reset(token)


def number(value: float) -> str:
    """``value`` written for the language being rendered (Babel's format, the language's digits)."""
    code = _language.get()
    system = NUMBERING.get(code, "latn")
    locale = BABEL_LOCALE.get(code, code).replace("-", "_")
    # no grouping: residents read years and counts (2026, not 2 026)
    text = format_decimal(
        value, locale=locale if code in SUPPORTED else FALLBACK, numbering_system=system, group_separator=False
    )
    return localise_digits(text)


def localise_digits(text: str) -> str:
    """Western digits in ``text`` replaced by the digits of the language being rendered."""
    table = _DIGITS.get(NUMBERING.get(_language.get(), "latn"))
    return text.translate(table) if table else text


def _translations() -> gettext_module.NullTranslations:
    return _current.get(None) or catalogues()[FALLBACK]


def gettext(message: str) -> str:
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translations().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _translations().npgettext(context, singular, plural, n)
