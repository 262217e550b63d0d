"""UI translations: gettext catalogues (Babel .po files) compiled in memory at start-up, one per language.

Catalogues live in ``web/locale/<code>/LC_MESSAGES/messages.po``; message ids are English. The staff pages
have a catalogue of their own, ``staff.po``, in the staff languages only (fi, sv, en); it falls back to the
resident catalogue for the strings the two sides share (the page frame, feedback topics). The language of
the page being rendered is held in a context variable, so the Jinja environment (newstyle gettext) and
Python code (error messages) translate into the same language without passing it around.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from survey_service.languages import SUPPORTED

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
STAFF_DOMAIN = "staff"
FALLBACK = "en"
# The languages of the staff side, in the order the language switch shows them.
STAFF_LANGUAGES = ("fi", "sv", "en")
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


def po_path(code: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{domain}.po"


def _compile(code: str, domain: str = DOMAIN) -> gettext_module.NullTranslations:
    path = po_path(code, domain)
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


@lru_cache(maxsize=1)
def staff_catalogues() -> dict[str, gettext_module.NullTranslations]:
    """The staff side's translations per staff language, each falling back to the resident catalogue."""
    compiled = {}
    for code in STAFF_LANGUAGES:
        translations = _compile(code, STAFF_DOMAIN)
        translations.add_fallback(catalogues().get(code) or catalogues()[FALLBACK])
        compiled[code] = translations
    return compiled


def ui_language(code: str) -> str:
    """The UI language to use for a questionnaire language (English when there is no catalogue)."""
    return code if code in SUPPORTED else FALLBACK


@contextmanager
def use_language(code: str, staff: bool = False) -> Iterator[None]:
    """Translate into ``code`` inside the block (templates and ``gettext`` alike); ``staff``: with the staff
    catalogue (a staff language, English when ``code`` is not one)."""
    if staff:
        code = code if code in STAFF_LANGUAGES else FALLBACK
    token = _current.set(staff_catalogues()[code] if staff else catalogues()[ui_language(code)])
    language = _language.set(ui_language(code))
    try:
        yield
    finally:
        _current.reset(token)
        _language.reset(language)


def use_staff_language(code: str) -> None:
    """Translate the rest of this request (handler, template, error page) into staff language ``code``.

    Set once per request, before the handler runs: the template is rendered after the handler returns, in
    the same request, so a ``with`` block would end too early.
    """
    code = code if code in STAFF_LANGUAGES else FALLBACK
    _current.set(staff_catalogues()[code])
    _language.set(code)


def current_language() -> str:
    """The language pages are being translated into now."""
    return _language.get(FALLBACK)


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


# Babel locales for showing dates in Finland in each staff language (31.12.2027; en_FI: 31/12/2027).
DATE_LOCALE = {"fi": "fi", "sv": "sv_FI", "en": "en_FI"}
HELSINKI = ZoneInfo("Europe/Helsinki")  # the same clock as db.base.LOCAL_TIME_ZONE


def format_day(value: date | datetime | str | None) -> str:
    """A day in the page language's short form (31.12.2027 in Finnish); moments become Helsinki days and
    ISO text is read as a day (other text is shown as it is)."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = helsinki_day(value)
    return format_date(value, format="short", locale=DATE_LOCALE.get(current_language(), "fi"))


def format_moment(value: datetime | None) -> str:
    """A moment in Helsinki time in the page language (naive values are UTC, as stored)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    locale = DATE_LOCALE.get(current_language(), "fi")
    return format_datetime(value.astimezone(HELSINKI), format="short", tzinfo=HELSINKI, locale=locale)


def helsinki_day(value: datetime) -> date:
    """The day in Helsinki of a moment (naive values are UTC, as stored)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(HELSINKI).date()
