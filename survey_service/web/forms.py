"""One pattern for staff forms: a form lists its fields with their conversion, and a refused form comes back
with each message next to its field and in an error summary at the top of the page, which gets the focus.

Messages are in the page's language and say what to type; validator, pattern or JSON-path text from the
schemas never reaches a page (``page_errors`` turns such messages into the field's own message).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Request

from survey_service.errors import BadRequest, DomainError, ItemError
from survey_service.web.i18n import gettext as _

Errors = list[tuple[str, str]]
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
ISO_DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
FINNISH_DAY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")  # 31.12.2027 (31/12/2027 as en_FI shows it)
# Text that comes from a validator rather than a person (msgspec paths, patterns, Python reprs).
TECHNICAL = re.compile(r"\$\.|`|regex|Expected |\{|\^|\\")


def N_(message: str) -> str:
    """Mark a message for the catalogue; it is translated where it is shown."""
    return message


class Invalid(ValueError):
    """A field's value cannot be used; ``message`` is already in the page's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormRefused(BadRequest):
    """A form with invalid fields: the page shows ``errors`` (field, message) and the values as typed."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(errors[0][1], [ItemError(field, message) for field, message in errors])


def text(value: str) -> str:
    return value.strip()


def day(value: str) -> date | None:
    """A day typed as 31.12.2027 (the Finnish way; 31/12/2027 too) or 2027-12-31 (ISO); empty is none."""
    value = value.strip()
    if not value:
        return None
    try:
        if match := FINNISH_DAY.match(value):
            d, m, y = (int(g) for g in match.groups())
            return date(y, m, d)
        if ISO_DAY.match(value):
            y, m, d = (int(g) for g in value.split("-"))
            return date(y, m, d)
    except ValueError:
        raise Invalid(_("This day does not exist in the calendar. Enter the date as 31.12.2027.")) from None
    raise Invalid(_("Enter the date as day.month.year, for example 31.12.2027."))


def year(value: str) -> int:
    value = value.strip()
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise Invalid(_("Enter the year with four digits, for example 2027."))
    return int(value)


def optional_year(value: str) -> int | None:
    return year(value) if value.strip() else None


def share(value: str) -> float | None:
    """A share typed as 0,7, 0.7, 70 or 70 % (none when empty)."""
    value = value.strip().replace("%", "").replace(",", ".").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Invalid(_("Enter the target as a share, for example 70 % or 0,7.")) from None
    if not 0 <= number <= 100:
        raise Invalid(_("Enter the target as a share, for example 70 % or 0,7."))
    return number / 100 if number > 1 else number


def slug_of(name: str) -> str:
    """A short name for links made from a title: "Kysely 2027" -> kysely-2027, ä -> a, ö -> o, å -> a."""
    plain = unicodedata.normalize("NFKD", name.strip().lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:63].rstrip("-")


@dataclass(frozen=True)
class Field:
    """One form field: its name (the input's id), how its text becomes a value, and whether it is needed."""

    name: str
    convert: Callable[[str], Any] = text
    required: str | None = None  # the message when it is empty (a msgid), or None when it may be empty
    id: str | None = None  # the input's id when it is not its name (several forms on one page)


@dataclass(frozen=True)
class Form:
    """A staff form: ``read`` converts the posted text, or raises ``FormRefused`` naming every bad field."""

    fields: tuple[Field, ...]

    def read(self, posted: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        errors: Errors = []
        for field in self.fields:
            raw = posted.get(field.name, "")
            where = field.id or field.name
            if field.required and not raw.strip():
                errors.append((where, _(field.required)))
                continue
            try:
                values[field.name] = field.convert(raw)
            except Invalid as exc:
                errors.append((where, exc.message))
        if errors:
            raise FormRefused(errors)
        return values


async def form_fields(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Text fields of a posted form (the CSRF field removed)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "_csrf_token"}


def page_errors(exc: DomainError, field: str = "", messages: dict[str, str] | None = None) -> Errors:
    """A refused request as (field id, message) lines for the page.

    ``messages`` gives each field's own message (a msgid) for when the service's text is not fit for a page
    (a validator's pattern or path); a line without a field of the form goes to ``field``.
    """
    messages = messages or {}

    def fit(item: str, message: str) -> str:
        if item in messages and (TECHNICAL.search(message) or not message):
            return _(messages[item])
        if TECHNICAL.search(message):
            return _("Check this field: the value is not in the expected form.")
        return _(message)

    if isinstance(exc, FormRefused):
        return [(e.item, e.message) for e in exc.errors]
    if not exc.errors:
        return [(field, fit(field, exc.detail))]
    return [(e.item if e.item in messages or not field else field, fit(e.item, e.message)) for e in exc.errors]


def field_errors(errors: Sequence[Any]) -> dict[str, str]:
    """The message of each field (for showing it next to the field): ``errors`` are (field, message) pairs
    or objects with ``item`` and ``message`` (the paper entry form's answer errors)."""
    found: dict[str, str] = {}
    for error in errors:
        field, message = error if isinstance(error, tuple) else (error.item, error.message)
        found.setdefault(field, message)
    return found
