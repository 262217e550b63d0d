"""XLSForm (.xlsx) <-> questionnaire definitions, so staff can design in a spreadsheet and ODK tools can
read our questionnaires.

Standard XLSForm carries the structure: sheets ``survey`` (type, name, ``label::Language (code)``,
``hint::…``, required, relevant, constraint, appearance), ``choices`` (list_name, name, labels) and
``settings`` (form_title, form_id, version, default_language = the source language). Extra columns and
sheets, which ODK tools ignore, carry what XLSForm has no words for:

- survey columns ``dimension``, ``monitoring_target``, ``indicator`` (``share:1 2`` = the favourable
  codes), ``indicator_label::…``, ``scale``, ``reverse``, ``sensitive``, ``source``, ``adapted``,
  ``report_by`` (``yes``, or numbers to order the reporting groups), ``keep_with_previous``, ``unit::…``,
  ``show_if`` (our skip logic, kept verbatim while it still matches ``relevant``) and ``question_type`` (``rating`` on a
  ``select_one``, ``year`` on an ``integer``; every other type follows from the XLSForm type);
- choices columns ``missing`` (non-substantive) and ``exclusive``;
- sheet ``languages``: one row per language with ``code``, ``status``, ``note``, ``title`` and
  ``outdated`` (string keys, space-separated);
- sheet ``derived``: recoded variables (``name``, ``source``, ``value``, ``from``, ``report_by``,
  ``label::…``; a row without ``value`` holds the variable's own text);
- sheet ``scales``: the name of each multi-item scale (``name`` as in the ``scale`` column, ``label::…``).

Reading follows pyxform: sheet, column and type aliases in any case (its ``aliases.py``), language names
without codes (CLDR through Babel), flat forms (questions outside groups make sections of their own), no
settings sheet (slug and title from the file name), ``or_other``, ``constraint_message``/``required_message``,
``default``, ``appearance`` layouts and ``${name}`` piping. A ``begin_group`` is a section (one page); a
``table-list`` group of ``select_one`` rows of one list is a matrix; a ``note`` before the first question is
the description, any other note opens a section as its introduction; ``select_one`` / ``select_multiple`` /
``integer`` / ``decimal`` / ``text`` (``multiline``: long text) are questions; ``constraint`` holds ranges only
(``. >= 1 and . <= 20``, ``. > 14``, ``count-selected(.) <= 2``, ``string-length(.) <= 200``). Choice names
that are whole numbers become integer codes. Device metadata rows (start, end, deviceid, …) are skipped: the
service never collects them. Features the service does not have (geopoint, repeat, calculate,
choice_filter, files, …) are refused, each naming the feature and what to do instead.

Reading never stores anything: it returns a ``Questionnaire`` (and an ``ImportSummary`` of what was mapped) or
raises ``DefinitionError`` whose problems name the sheet, the row and the column.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Any

import msgspec
from babel import Locale, UnknownLocaleError, localedata
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from survey_service.languages import SUPPORTED as ENDONYMS
from survey_service.languages import ordered
from survey_service.questionnaire import expr
from survey_service.questionnaire.loader import DefinitionError, Problem, decode
from survey_service.questionnaire.schema import (
    Choice,
    LongText,
    Matrix,
    MultipleChoice,
    Number,
    Question,
    Questionnaire,
    Rating,
    ShortText,
    SingleChoice,
    Text,
    Year,
)
from survey_service.questionnaire.validate import validate
from survey_service.questionnaire.xpath import XPathError, from_relevant, to_relevant
from survey_service.spreadsheet import WorkbookRejected, open_workbook
from survey_service.web.i18n import catalogues, ui_language

MAX_FILE_BYTES = 5_000_000
EXCEL_COLUMNS = 16_384
MAX_ROWS = 5000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 20_000
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_CANONICAL_INT = re.compile(r"^(0|-?[1-9][0-9]*)$")
_LANGUAGE_IN_HEADER = re.compile(r"\(([a-z]{2,3}(?:-[a-z0-9]{1,8})*)\)\s*$")
_BARE_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")
_RANGE_TERM = re.compile(
    r"^\s*(?P<lhs>\.|count-selected\(\s*\.\s*\)|string-length\(\s*\.\s*\))\s*(?P<op>>=|<=|>|<)\s*(?P<num>-?\d+(?:\.\d+)?)\s*$"
)
_TRUE = {"yes", "true", "true()", "1", "y"}
_FALSE = {"no", "false", "false()", "0", "n", ""}


def choice_code(text: str) -> int | str:
    """A choice name from a sheet: whole numbers become integer codes, anything else stays text."""
    return int(text) if _CANONICAL_INT.match(text) else text


def language_header(code: str) -> str:
    """``Suomi (fi)``: how a language is named in column headers (its endonym and its code)."""
    name = ENDONYMS.get(code)
    if name is None:
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_")) or code
        except (UnknownLocaleError, ValueError):
            name = code
    return f"{name} ({code})"


# ==========================================================================================================
# Writing
# ==========================================================================================================


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _ranges(lhs: str, lo: float | None, hi: float | None) -> str | None:
    parts = [f"{lhs} >= {_number(lo)}" for _ in [0] if lo is not None] + [
        f"{lhs} <= {_number(hi)}" for _ in [0] if hi is not None
    ]
    return " and ".join(parts) or None


class _Sheet:
    """Rows as dicts; columns in first-seen order (with a preferred order first)."""

    def __init__(self, name: str, preferred: Iterable[str]) -> None:
        self.name = name
        self.columns: list[str] = list(preferred)
        self.rows: list[dict[str, Any]] = []

    def add(self, **values: Any) -> dict[str, Any]:
        row = {k: v for k, v in values.items() if v is not None and v != ""}
        self.rows.append(row)
        return row

    def write(self, wb: Workbook) -> None:
        used = {k for row in self.rows for k in row}
        columns = [c for c in self.columns if c in used or c in {"type", "name", "list_name"}]
        columns += sorted(used - set(columns))
        ws = wb.create_sheet(self.name)
        ws.append(columns)
        for row in self.rows:
            ws.append([row.get(c) for c in columns])
        for cells in ws.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # text that looks like a formula stays text
                    cell.data_type = "s"


def to_xlsform(q: Questionnaire, version: str | None = None) -> bytes:
    """The definition as an XLSForm workbook that pyxform converts, with every language."""
    langs = [q.source_language, *[lang for lang in ordered(q.languages) if lang != q.source_language]]
    headers = {lang: language_header(lang) for lang in langs}

    def texts(prefix: str, text: Text | None) -> dict[str, str]:
        if not text:
            return {}
        return {f"{prefix}::{headers[lang]}": text[lang] for lang in langs if text.get(lang)}

    survey = _Sheet(
        "survey",
        ["type", "name"]
        + [f"label::{headers[lang]}" for lang in langs]
        + [f"hint::{headers[lang]}" for lang in langs]
        + ["required", "relevant", "constraint", "appearance", "default"]
        + [f"constraint_message::{headers[lang]}" for lang in langs]
        + [f"required_message::{headers[lang]}" for lang in langs]
        + ["show_if", "question_type", "dimension"]
        + ["monitoring_target", "indicator"]
        + [f"indicator_label::{headers[lang]}" for lang in langs]
        + ["scale", "reverse", "sensitive", "source", "adapted", "report_by", "keep_with_previous"]
        + [f"unit::{headers[lang]}" for lang in langs],
    )
    choices = _Sheet(
        "choices", ["list_name", "name", *[f"label::{headers[lang]}" for lang in langs], "missing", "exclusive"]
    )
    lists: dict[str, str] = {}  # serialised choice list -> list name (identical lists are shared)

    def choice_list(owner: str, items: list[tuple[int | str, Text, bool, bool]]) -> str:
        key = msgspec.json.encode(items).decode()
        if key not in lists:
            lists[key] = owner
            for code, label, missing, exclusive in items:
                choices.add(
                    list_name=owner,
                    name=str(code),
                    **texts("label", label),
                    missing=_flag(missing or None),
                    exclusive=_flag(exclusive or None),
                )
        return lists[key]

    def plain(items: list[Choice]) -> list[tuple[int | str, Text, bool, bool]]:
        return [(c.code, dict(c.label), c.missing, c.exclusive) for c in items]

    report_rank = _report_by(q)

    def common(x: Question) -> dict[str, Any]:
        indicator = x.indicator
        return {
            "name": x.code,
            **texts("label", x.text),
            **texts("hint", x.help),
            **texts("constraint_message", x.constraint_message),
            **texts("required_message", x.required_message),
            "default": x.default,
            "relevant": to_relevant(x.show_if) if x.show_if else None,
            "show_if": x.show_if,
            "dimension": x.dimension,
            "monitoring_target": x.monitoring_target,
            "indicator": "share:" + " ".join(str(c) for c in indicator.favourable) if indicator else None,
            **texts("indicator_label", indicator.label if indicator else None),
            "scale": x.scale,
            "reverse": _flag(x.reverse or None),
            "sensitive": _flag(x.sensitive or None),
            "source": x.source,
            "adapted": _flag(x.adapted or None),
            "report_by": report_rank.get(x.code),
            "keep_with_previous": _flag(x.keep_with_previous or None),
        }

    if q.description:
        survey.add(type="note", name="description", **texts("label", q.description))
    for section in q.sections:
        survey.add(
            type="begin_group",
            name=section.id,
            **texts("label", section.title),
            appearance="field-list",
            relevant=to_relevant(section.show_if) if section.show_if else None,
            show_if=section.show_if,
        )
        if section.intro:
            survey.add(type="note", name=f"{section.id}_intro", **texts("label", section.intro))
        for x in section.questions:
            row = common(x)
            required = _flag(x.required or None)
            if isinstance(x, SingleChoice):
                listed = choice_list(x.code, plain(x.choices))
                survey.add(type=f"select_one {listed}", required=required, appearance=x.layout, **row)
            elif isinstance(x, MultipleChoice):
                constraint = _ranges("count-selected(.)", x.min_selected, x.max_selected)
                listed = choice_list(x.code, plain(x.choices))
                survey.add(
                    type=f"select_multiple {listed}",
                    required=required,
                    constraint=constraint,
                    appearance=x.layout,
                    **row,
                )
            elif isinstance(x, Rating):
                points = [
                    (
                        v,
                        dict(x.min_label)
                        if v == x.min
                        else dict(x.max_label)
                        if v == x.max
                        else {lang: str(v) for lang in langs},
                        False,
                        False,
                    )
                    for v in range(x.min, x.max + 1)
                ]
                listed = choice_list(x.code, points + plain(x.extra_choices))
                survey.add(
                    type=f"select_one {listed}", required=required, question_type="rating", appearance="likert", **row
                )
            elif isinstance(x, Matrix):
                survey.add(type="begin_group", appearance="table-list", **row)
                listed = choice_list(x.code, plain(x.choices))
                for st in x.statements:
                    survey.add(
                        type=f"select_one {listed}",
                        name=st.code,
                        **texts("label", st.text),
                        required=required,
                        reverse=_flag(st.reverse),
                        report_by=report_rank.get(st.code),
                    )
                survey.add(type="end_group", name=x.code)
            elif isinstance(x, Number):
                survey.add(
                    type="integer" if x.integer else "decimal",
                    required=required,
                    constraint=_ranges(".", x.min, x.max),
                    **texts("unit", x.unit),
                    **row,
                )
            elif isinstance(x, Year):
                survey.add(
                    type="integer",
                    required=required,
                    question_type="year",
                    constraint=_ranges(".", x.min, x.max),
                    **row,
                )
            elif isinstance(x, ShortText | LongText):
                survey.add(
                    type="text",
                    required=required,
                    constraint=_ranges("string-length(.)", None, x.max_length),
                    appearance="multiline" if isinstance(x, LongText) else None,
                    **row,
                )
        survey.add(type="end_group", name=section.id)

    settings = _Sheet("settings", ["form_title", "form_id", "version", "default_language"])
    settings.add(
        form_title=q.title.get(q.source_language),
        form_id=q.slug,
        version=version,
        default_language=headers[q.source_language],
    )
    languages = _Sheet("languages", ["code", "name", "status", "note", "title", "outdated"])
    for lang in langs:
        info = q.languages.get(lang)
        languages.add(
            code=lang,
            name=headers[lang],
            status=info.status if info else None,
            note=info.note if info else None,
            title=q.title.get(lang),
            outdated=" ".join(info.outdated) if info else None,
        )
    derived = _Sheet(
        "derived", ["name", "source", "value", "from", "report_by", *[f"label::{headers[lang]}" for lang in langs]]
    )
    for r in q.derived:
        derived.add(name=r.code, source=r.source, report_by=report_rank.get(r.code), **texts("label", r.text))
        for value, label in r.labels.items():
            sources = [k for k, v in r.map.items() if str(v) == value]
            derived.add(name=r.code, value=value, **{"from": " ".join(sources)}, **texts("label", label))
    scales = _Sheet("scales", ["name", *[f"label::{headers[lang]}" for lang in langs]])
    for name, title in q.scales.items():
        scales.add(name=name, **texts("label", title))

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in (survey, choices, settings, languages):
        sheet.write(wb)
    if q.derived:
        derived.write(wb)
    if q.scales:
        scales.write(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _report_by(q: Questionnaire) -> dict[str, str]:
    """``report_by`` cells: ``yes`` when the groups follow questionnaire order, else their rank."""
    natural_order = [
        *[
            c
            for s in q.sections
            for x in s.questions
            for c in ([x.code] if not isinstance(x, Matrix) else [st.code for st in x.statements])
        ],
        *[r.code for r in q.derived],
    ]
    natural = [c for c in natural_order if c in q.reporting_groups]
    if natural == list(q.reporting_groups):
        return dict.fromkeys(q.reporting_groups, "yes")
    return {code: str(i + 1) for i, code in enumerate(q.reporting_groups)}


# ==========================================================================================================
# ==========================================================================================================
# Reading
# ==========================================================================================================

# Column names as pyxform reads them (its aliases.py): header -> the name used here, per sheet.
_COLUMN_ALIASES = {
    "survey": {
        "caption": "label",
        "relevance": "relevant",
        "constraining_message": "constraint_message",
        "requiredmsg": "required_message",
        "readonly": "read_only",
        "calculate": "calculation",
        "command": "type",
        "tag": "name",
        "value": "name",
        "count": "repeat_count",
        "jr:count": "repeat_count",
        "noapperrorstring": "no_app_error_string",
    },
    "choices": {"caption": "label", "value": "name", "list_name": "list_name"},
    "settings": {"set_form_title": "form_title", "set_form_id": "form_id"},
}
_TRANSLATABLE = {"label", "hint", "constraint_message", "required_message", "unit", "indicator_label"}
_KNOWN_COLUMNS = {
    "survey": {
        *_TRANSLATABLE,
        "type",
        "name",
        "required",
        "relevant",
        "constraint",
        "appearance",
        "default",
        "disabled",
        "show_if",
        "question_type",
        "dimension",
        "monitoring_target",
        "indicator",
        "scale",
        "reverse",
        "sensitive",
        "source",
        "adapted",
        "report_by",
    },
    "choices": {"list_name", "name", "label", "missing", "exclusive"},
    "settings": {"form_title", "form_id", "version", "default_language"},
    "languages": {"code", "name", "status", "note", "title", "outdated"},
    "derived": {"name", "source", "value", "from", "report_by", "label"},
    "scales": {"name", "label"},
}
# XLSForm columns with a meaning the service cannot keep: a filled cell is refused, naming what to do instead.
_REFUSED_COLUMNS = {
    "choice_filter": ("choice filters", "use one choice list per case, each question shown with relevant"),
    "calculation": ("calculations", "compute the value in the analysis (recodes go on the derived sheet)"),
    "repeat_count": ("repeats", "ask each item as a question of its own"),
    "trigger": ("triggers", "leave the column empty"),
    "read_only": ("read-only questions", "leave the column empty: residents answer every question shown"),
    "parameters": ("question parameters", "leave the column empty"),
    "guidance_hint": ("guidance hints", "put the text in hint"),
    "image": ("media", "describe it in the label"),
    "big-image": ("media", "describe it in the label"),
    "audio": ("media", "describe it in the label"),
    "video": ("media", "describe it in the label"),
    "no_app_error_string": ("app error strings", "use constraint_message"),
}
_REFUSED_PREFIXES = {
    "media": ("media", "describe it in the label"),
    "body": ("XForm body attributes", "leave the column empty"),
    "bind": ("XForm bind attributes", "leave the column empty"),
    "instance": ("XForm instance attributes", "leave the column empty"),
}
_METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "imei",
    "device_id",
    "subscriberid",
    "subscriber_id",
    "simserial",
    "sim_id",
    "phonenumber",
    "phone_number",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "get_start_time",
    "get_end_time",
    "start_time",
    "end_time",
    "get_today",
    "get_device_id",
    "get_subscriber_id",
    "get_sim_id",
    "get_phone_number",
}
# ``bind::…`` columns of older forms that name a column of their own.
_BIND_ALIASES = {
    "relevant": "relevant",
    "required": "required",
    "constraint": "constraint",
    "jr:constraintmsg": "constraint_message",
    "jr:requiredmsg": "required_message",
    "calculate": "calculation",
    "readonly": "read_only",
}
_QUESTION_TYPES = {
    "text": "text",
    "string": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "note": "note",
}
_LOCATION = ("locations (geopoint, geotrace, geoshape)", "ask for the area with a select_one list")
_MEDIA = ("photo, audio, video and file answers", "ask with a text question: answers here are anonymous text")
_DATE = ("date and time questions", "ask for a year: an integer with question_type year")
_REFUSED_TYPES = {
    "date": _DATE,
    "datetime": _DATE,
    "time": _DATE,
    "date_time": _DATE,
    "geopoint": _LOCATION,
    "gps": _LOCATION,
    "location": _LOCATION,
    "geotrace": _LOCATION,
    "geoshape": _LOCATION,
    "image": _MEDIA,
    "photo": _MEDIA,
    "picture": _MEDIA,
    "audio": _MEDIA,
    "video": _MEDIA,
    "file": _MEDIA,
    "background-audio": _MEDIA,
    "barcode": ("barcodes", "ask with a text question"),
    "acknowledge": ("acknowledge questions", "use a note, or a select_one with one choice"),
    "trigger": ("acknowledge questions", "use a note, or a select_one with one choice"),
    "calculate": ("calculations", "compute the value in the analysis (recodes go on the derived sheet)"),
    "range": ("range questions", "use a select_one with question_type rating"),
    "hidden": ("hidden questions", "leave the row out: only what residents answer is stored"),
    "xml-external": ("external data", "put the data in the questionnaire itself"),
    "csv-external": ("external data", "put the data in the questionnaire itself"),
    "osm": ("OpenStreetMap questions", "ask for the area with a select_one list"),
}
_SELECT = re.compile(
    r"^(?P<command>add select one prompt using|add select multiple prompt using|select all that apply from|"
    r"select one from file|select multiple from file|select_one_from_file|select_multiple_from_file|"
    r"select_one_external|select one external|select one from|select multiple from|select one using|"
    r"select multiple using|select1|select_one|select one|select_multiple|select all that apply|rank|osm)"
    r" (?P<list>\S+)(?: (?P<other>or specify other|or_other|or other))?$",
    re.IGNORECASE,
)
_SELECT_COMMANDS = {
    "select_one": {
        "add select one prompt using",
        "select one from",
        "select one using",
        "select1",
        "select_one",
        "select one",
    },
    "select_multiple": {
        "add select multiple prompt using",
        "select all that apply from",
        "select multiple from",
        "select multiple using",
        "select_multiple",
        "select all that apply",
    },
}
_FROM_FILE = ("choices from a file", "put the choices on the choices sheet")
_REFUSED_SELECTS = {
    "select one from file": _FROM_FILE,
    "select multiple from file": _FROM_FILE,
    "select_one_from_file": _FROM_FILE,
    "select_multiple_from_file": _FROM_FILE,
    "select_one_external": _FROM_FILE,
    "select one external": _FROM_FILE,
    "rank": ("ranking (rank)", "use select_multiple with a maximum, e.g. constraint count-selected(.) <= 3"),
    "osm": ("OpenStreetMap questions", "ask for the area with a select_one list"),
}
_CONTROL = re.compile(r"^(?P<end>begin|end)[ _](?P<kind>group|repeat|lgroup|loop|looped group)\b(?P<rest>.*)$")
_CHOICE_LAYOUTS = {
    "minimal": "minimal",
    "likert": "likert",
    "horizontal": "horizontal",
    "horizontal-compact": "horizontal",
}
_ORDER_OPS = {">": ">=", "<": "<="}
_LONGEST = {"text": 1000, "long_text": 20000}  # the schema's largest max_length
OTHER = "other"


@dataclass
class ImportSummary:
    """What reading a workbook mapped: shown on the import page before the draft is created."""

    languages: dict[str, str] = field(default_factory=dict)  # code -> as the workbook names it
    sections: list[str] = field(default_factory=list)  # "title: N questions" (made from … when no group)
    ignored_columns: list[str] = field(default_factory=list)  # "sheet survey, column xyz"
    skipped_rows: list[str] = field(default_factory=list)  # device metadata rows the service never collects
    plain_questions: int = 0  # questions without a good-relations dimension
    unknown_languages: list[str] = field(default_factory=list)  # language names without a code
    notes: list[str] = field(default_factory=list)  # limits the service sets where XLSForm has none


@dataclass
class WorkbookError(DefinitionError):
    """A workbook's problems, with what reading it found so far (the import page asks for unknown languages)."""

    summary: ImportSummary = field(default_factory=ImportSummary)


@dataclass
class _Row:
    sheet: str
    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class _Reader:
    file: str
    problems: list[Problem] = field(default_factory=list)
    rows_of: dict[str, str] = field(default_factory=dict)  # question/section code -> "sheet survey, row N"
    headers_of: dict[str, str] = field(default_factory=dict)  # language code -> "Suomi (fi)" as in the headers
    formulas: dict[str, set[tuple[int, int]]] = field(default_factory=dict)  # sheet -> formula cells (row, col)
    summary: ImportSummary = field(default_factory=ImportSummary)

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        where = f"sheet {sheet}" + (f", row {row}" if row else "")
        self.problems.append(Problem(self.file, where, f"column {column}" if column else "", message))

    def fail_if_any(self) -> None:
        if self.problems:
            raise DefinitionError(self.problems)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_name(sheet: str, header: str, double_colon: bool) -> str:
    """A header as pyxform reads it: aliases, snake_case and any case; ``label:English`` -> ``label::English``."""
    header = " ".join(header.split())
    aliases = _COLUMN_ALIASES.get(sheet, {})
    if header.lower() in aliases:
        return aliases[header.lower()]
    bind = re.match(r"^bind::?(.+)$", header, re.IGNORECASE)
    if bind:  # bind:relevant, bind::jr:constraintMsg::English and the like name columns of their own
        rest = bind.group(1)
        for attribute in sorted(_BIND_ALIASES, key=len, reverse=True):
            remainder = rest[len(attribute) :]
            if rest.lower().startswith(attribute) and (not remainder or remainder.startswith(":")):
                language = remainder.lstrip(":").strip()
                return _BIND_ALIASES[attribute] + (f"::{language}" if language else "")
    base, sep, lang = header.partition("::")
    if not sep and not double_colon and ":" in header:
        base, sep, lang = header.partition(":")
    base = "_".join(base.split()).lower()
    base = aliases.get(base, base)
    return f"{base}::{lang.strip()}" if sep else base


def _read_sheet(
    ws: Worksheet, name: str, reader: _Reader, formulas: set[tuple[int, int]] | None = None
) -> tuple[list[str], list[_Row]]:
    """Headers and rows of a sheet. Formula cells are noted in ``reader.formulas``; the sheet is then read again
    from the values the spreadsheet program saved (as pyxform reads it), and a formula without one
    (``formulas``: its row and column) is refused."""
    headers: list[str] = []
    rows: list[_Row] = []
    for number, cells in enumerate(ws.iter_rows(), start=1):
        if number > MAX_ROWS + 1:
            reader.add(name, None, "", f"more than {MAX_ROWS} rows")
            break
        values = []
        for index, cell in enumerate(cells):
            if cell.value is None:
                if formulas and (number, index + 1) in formulas:
                    column = headers[index] if index < len(headers) else f"#{index + 1}"
                    reader.add(name, number, column, "formulas are not supported: enter the value itself")
                values.append("")
                continue
            column = headers[index] if index < len(headers) else f"#{index + 1}"
            if getattr(cell, "data_type", None) == "f":
                reader.formulas.setdefault(name, set()).add((number, index + 1))
                values.append("")
                continue
            text = _cell_text(cell.value)
            if len(text) > MAX_CELL_CHARS:
                reader.add(name, number, column, f"the cell has more than {MAX_CELL_CHARS} characters")
                text = ""
            if "\x00" in text:
                reader.add(name, number, column, "the cell contains a NUL character")
                text = ""
            values.append(text)
        if not headers:
            if any(values):
                # Empty or formatted columns far to the right are no columns: only used headers count.
                if sum(1 for v in values if v) > MAX_COLUMNS:
                    reader.add(name, number, "", f"more than {MAX_COLUMNS} columns with a header")
                    return [], []
                double_colon = any("::" in v for v in values)
                headers = [_column_name(name, v, double_colon) if v else "" for v in values]
                seen: set[str] = set()
                for h in headers:
                    if h and h in seen:
                        reader.add(name, number, h, "the column appears twice")
                    seen.add(h)
            continue
        if not any(values):
            continue
        cells_by_name = {h: v for h, v in zip(headers, values, strict=False) if h and v}
        if cells_by_name:
            rows.append(_Row(name, number, cells_by_name))
    return headers, rows


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    """Language names -> codes from CLDR (Babel): English names, endonyms and names in the service's
    languages, compared case-insensitively ("English", "Suomi", "svenska", "العربية", "ruotsi")."""
    names: dict[str, str] = {}
    codes = [c for c in localedata.locale_identifiers() if "_" not in c]
    for code in codes:
        try:
            own = Locale.parse(code).get_language_name(code)
        except (UnknownLocaleError, ValueError):
            continue
        if own:
            names.setdefault(own.casefold(), code)
    for display in ["en", *[c for c in ENDONYMS if "-" not in c]]:
        for code, name in Locale.parse(display).languages.items():
            if "_" not in code and code in codes:
                names.setdefault(name.casefold(), code)
    names.update({name.casefold(): code for code, name in ENDONYMS.items()})
    return names


def language_code(name: str, known: dict[str, str] | None = None) -> str | None:
    """The code of a language as a header names it: ``Suomi (fi)``, ``fi``, ``Suomi`` or ``svenska``; None
    when the name is unknown (``known`` adds names given on the import page)."""
    name = name.strip()
    m = _LANGUAGE_IN_HEADER.search(name)
    if m:
        return m.group(1)
    given = {k.casefold(): v for k, v in (known or {}).items()}
    if name.casefold() in given:
        return given[name.casefold()]
    code = name.lower()
    if _BARE_CODE.match(code) and (code in ENDONYMS or code.split("-")[0] in localedata.locale_identifiers()):
        return code
    return _language_names().get(name.casefold())


def _flag_value(row: _Row, column: str, reader: _Reader) -> bool:
    text = row.get(column).lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        reader.add(row.sheet, row.number, column, f"expected yes or no, not {row.get(column)!r}")
    return False


def _slug(text: str) -> str:
    """A questionnaire slug from a form_id or file name: ``kouvola_pulse`` -> ``kouvola-pulse``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63]


def _read_workbook(data: bytes, file: str, reader: _Reader) -> dict[str, tuple[list[str], list[_Row]]]:
    """The sheets the service reads, as headers and rows; the one place that opens the workbook."""
    if len(data) > MAX_FILE_BYTES:
        raise DefinitionError([Problem(file, "", "", f"file is larger than {MAX_FILE_BYTES} bytes")])
    try:
        # Excel's own column limit: formatted empty columns far to the right are read (and ignored), while a
        # row of a million cells is refused before openpyxl reads it
        wb = open_workbook(data, max_cells_per_row=EXCEL_COLUMNS)
    except WorkbookRejected as exc:
        raise DefinitionError([Problem(file, "", "", str(exc))]) from None
    names = ("survey", "choices", "settings", "languages", "derived", "scales")
    try:
        sheets = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        if "survey" not in sheets:
            raise DefinitionError([Problem(file, "", "", "the workbook has no 'survey' sheet")])
        read = {name: _read_sheet(sheets[name], name, reader) for name in names if name in sheets}
    finally:
        wb.close()
    if reader.formulas:
        values = open_workbook(data, data_only=True, max_cells_per_row=EXCEL_COLUMNS)
        try:
            saved = {ws.title.strip().lower(): ws for ws in values.worksheets}
            for name, cells in reader.formulas.items():
                reader.problems = [p for p in reader.problems if not p.location.startswith(f"sheet {name}")]
                read[name] = _read_sheet(saved[name], name, reader, cells)
        finally:
            values.close()
    return read


def read_xlsform(
    data: bytes,
    file: str = "form.xlsx",
    *,
    complete: bool = True,
    unnamed_language: str | None = None,
    language_codes: dict[str, str] | None = None,
) -> tuple[Questionnaire, ImportSummary]:
    """Read an XLSForm workbook as pyxform reads it into a validated ``Questionnaire`` and what was mapped.

    ``unnamed_language`` is the language of a plain ``label`` column when the settings do not name it;
    ``language_codes`` gives codes for language names CLDR does not know. ``DefinitionError`` names the
    sheet, row and column of every problem.
    """
    reader = _Reader(file)
    try:
        read = _read_workbook(data, file, reader)
        reader.fail_if_any()
        raw = _Builder(reader, read, file, unnamed_language, language_codes or {}).build()
        reader.fail_if_any()
        try:
            q = decode(raw, file)
        except DefinitionError as exc:
            raise DefinitionError([_relocate(p, reader) for p in exc.problems]) from None
        problems = validate(q, file, complete=complete)
        if problems:
            raise DefinitionError([_relocate(p, reader) for p in problems])
    except DefinitionError as exc:
        raise WorkbookError(exc.problems, reader.summary) from None
    return q, reader.summary


def from_xlsform(data: bytes, file: str = "form.xlsx", *, complete: bool = True, **options: Any) -> Questionnaire:
    """Read an XLSForm workbook into a validated ``Questionnaire``; ``DefinitionError`` names sheet, row, column."""
    return read_xlsform(data, file, complete=complete, **options)[0]


def _relocate(problem: Problem, reader: _Reader) -> Problem:
    """Name the sheet and row of a problem found in the decoded definition (question X -> its row)."""
    kind, _, code = problem.location.partition(" ")
    row = reader.rows_of.get(code) if kind in {"question", "section", "derived"} else None
    if row is None and problem.location == "questionnaire":
        row = "sheet settings"
    where = f"{row} ({problem.location})" if row else problem.location
    name, _, lang = problem.field.partition(".")
    column = {
        "text": "label",
        "help": "hint",
        "unit": "unit",
        "constraint_message": "constraint_message",
        "required_message": "required_message",
    }.get(name)
    if row and column and lang in reader.headers_of:
        return Problem(problem.file, where, f"column {column}::{reader.headers_of[lang]}", problem.message)
    return Problem(problem.file, where, problem.field, problem.message)


class _Builder:
    """Turns the read sheets into the raw definition mapping (then decoded and validated as YAML is)."""

    def __init__(
        self,
        reader: _Reader,
        read: dict[str, tuple[list[str], list[_Row]]],
        file: str,
        unnamed_language: str | None,
        language_codes: dict[str, str],
    ) -> None:
        self.reader = reader
        self.read = read
        self.file = file
        self.summary = reader.summary
        self.language_codes = language_codes
        self.survey_headers, self.survey = read["survey"]
        self.settings = read.get("settings", ([], []))[1]
        self.setting = self.settings[0] if self.settings else _Row("settings", 2, {})
        self._check_columns()
        self.unnamed = self._unnamed_language(unnamed_language)
        self.languages = self._languages()
        self.lists = self._choice_lists()

    # -- columns and languages --------------------------------------------------------------------------

    def _check_columns(self) -> None:
        """Columns nobody here reads are listed; columns with a meaning the service cannot keep are refused
        where a row fills them."""
        for sheet, (headers, rows) in self.read.items():
            known = _KNOWN_COLUMNS.get(sheet, set())
            for header in headers:
                base = header.partition("::")[0]
                if not header or base in known:
                    continue
                refused = _REFUSED_COLUMNS.get(base) or _REFUSED_PREFIXES.get(base)
                if refused is None and ":" in base:
                    refused = _REFUSED_PREFIXES.get(base.partition(":")[0])
                used = [row for row in rows if row.get(header)]
                if refused is None or sheet not in {"survey", "choices"}:
                    self.summary.ignored_columns.append(f"sheet {sheet}, column {header}")
                    continue
                feature, instead = refused
                for row in used:
                    if base == "read_only" and row.get(header).lower() in _FALSE:
                        continue
                    self.reader.add(sheet, row.number, header, f"{feature} are not supported: {instead}")

    def _unnamed_language(self, given: str | None) -> str | None:
        default = self.setting.get("default_language")
        if default and default.lower() != "default":
            code = language_code(default, self.language_codes)
            if code is not None and _BARE_CODE.match(code):
                return code
            self.reader.add(
                "settings",
                self.setting.number,
                "default_language",
                f"{default!r} is not a language this service knows: write it as 'Name (code)', e.g. 'Suomi (fi)'",
            )
        return given

    def _languages(self) -> dict[str, str]:
        """Column header -> language code, for every sheet with translatable columns (a plain ``label`` is in
        the unnamed language)."""
        by_header: dict[str, str] = {}
        for sheet, (headers, _) in self.read.items():
            if sheet in {"languages", "settings"}:
                continue
            for h in headers:
                base, sep, name = h.partition("::")
                if base not in _TRANSLATABLE:
                    continue
                if not sep or name.lower() == "default":
                    if self.unnamed is None:
                        self.reader.add(
                            sheet,
                            1,
                            h,
                            f"name the language of the '{h}' column: 'label::Suomi (fi)', settings default_language, "
                            "or choose it on the import page",
                        )
                    else:
                        by_header[h] = self.unnamed
                        self.reader.headers_of.setdefault(self.unnamed, language_header(self.unnamed))
                        self.summary.languages.setdefault(self.unnamed, h)
                    continue
                code = language_code(name, self.language_codes)
                if code is None:
                    if name not in self.summary.unknown_languages:
                        self.summary.unknown_languages.append(name)
                        self.reader.add(
                            sheet,
                            1,
                            h,
                            f"{name!r} is not a language name this service knows: give its code, e.g. "
                            f"'{base}::{name} (xx)', or on the import page",
                        )
                    continue
                by_header[h] = code
                self.reader.headers_of.setdefault(code, name)
                self.summary.languages.setdefault(code, name)
        return by_header

    def source_language(self) -> str:
        if self.unnamed and self.setting.get("default_language"):
            return self.unnamed
        codes = [c for h, c in self.languages.items() if h.startswith("label")]
        if codes:
            return codes[0]
        if self.unnamed:
            return self.unnamed
        self.reader.add(
            "survey",
            1,
            "label",
            "name the language of the labels: 'label::Suomi (fi)' columns or settings default_language",
        )
        return "fi"

    def text(self, row: _Row, prefix: str) -> dict[str, str] | None:
        out: dict[str, str] = {}
        for h, code in self.languages.items():
            if h.partition("::")[0] == prefix and h in row.cells:
                out.setdefault(code, row.cells[h])
        return out or None

    def everywhere(self, text: dict[str, str]) -> dict[str, str]:
        """A text in every language of the form: the source language's until translated."""
        first = text.get(self.source) or next(iter(text.values()), "")
        return {lang: text.get(lang) or first for lang in self.all_languages}

    # -- choices ----------------------------------------------------------------------------------------

    def _choice_lists(self) -> dict[str, list[_Row]]:
        lists: dict[str, list[_Row]] = {}
        for row in self.read.get("choices", ([], []))[1]:
            name = row.get("list_name")
            if not name:
                self.reader.add("choices", row.number, "list_name", "every choice needs a list_name")
                continue
            if not row.get("name"):
                self.reader.add("choices", row.number, "name", "every choice needs a name (its code)")
                continue
            lists.setdefault(name, []).append(row)
        return lists

    def choices(self, list_name: str, row: _Row) -> list[dict[str, Any]]:
        items = self.lists.get(list_name)
        if items is None:
            self.reader.add("survey", row.number, "type", f"choice list {list_name!r} is not on the choices sheet")
            return []
        out = []
        for c in items:
            choice: dict[str, Any] = {"code": choice_code(c.get("name")), "label": self.text(c, "label") or {}}
            if _flag_value(c, "missing", self.reader):
                choice["missing"] = True
            if _flag_value(c, "exclusive", self.reader):
                choice["exclusive"] = True
            out.append(choice)
        return out

    # -- the form ---------------------------------------------------------------------------------------

    def _title(self, titles: dict[str, str]) -> dict[str, str]:
        """The title: the languages sheet, ``form_title::Language (code)`` columns, ``form_title`` (in the
        source language) or the file name; the same in every language until translated."""
        if not titles:
            for header, value in self.setting.cells.items():
                base, sep, name = header.partition("::")
                if base != "form_title" or not sep:
                    continue
                code = language_code(name, self.language_codes)
                if code is None:
                    self.reader.add(
                        "settings", self.setting.number, header, f"{name!r} is not a language this service knows"
                    )
                else:
                    titles[code] = value
        if not titles and self.setting.get("form_title"):
            titles[self.source] = self.setting.get("form_title")
        if not titles:
            stem = PurePath(self.file).stem.replace("_", " ").replace("-", " ").strip()
            titles[self.source] = stem[:1].upper() + stem[1:] if stem else "Questionnaire"
        return titles

    def build(self) -> dict[str, Any]:
        self.source = self.source_language()
        self.all_languages = list(dict.fromkeys([self.source, *self.languages.values()]))
        slug_from = self.setting.get("form_id") or PurePath(self.file).stem
        slug = _slug(slug_from)
        raw: dict[str, Any] = {"slug": slug, "source_language": self.source, "sections": []}
        if not re.match(r"^[a-z0-9][a-z0-9-]{1,62}$", slug):
            column = "form_id" if self.setting.get("form_id") else ""
            self.reader.add(
                "settings",
                self.setting.number if column else None,
                column,
                f"cannot make a questionnaire slug from {slug_from!r}: give form_id as letters, digits and - or _",
            )
        languages, titles = self._language_sheet()
        for lang in languages:
            if lang not in self.all_languages:
                self.all_languages.append(lang)
        translated = bool(titles)  # the languages sheet names every language's title itself
        self.form_title = self._title(titles)
        raw["title"] = self.form_title if translated else self.everywhere(self.form_title)
        report: list[tuple[str, str, int]] = []  # (report_by cell, code, row)
        _Layout(self, raw, report).run(self.survey)
        raw["languages"] = languages or {}
        for lang in self.all_languages:
            raw["languages"].setdefault(lang, {"status": "draft"})
        derived = self._derived(report)
        if derived:
            raw["derived"] = derived
        scales = self._scales()
        if scales:
            raw["scales"] = scales
        groups = self._reporting_groups(report)
        if groups:
            raw["reporting_groups"] = groups
        for section in raw["sections"]:
            made = section.pop("_made", "")
            self.summary.sections.append(
                f"{section['title'].get(self.source, section['id'])}: {len(section['questions'])} {made}".strip()
            )
        self.summary.plain_questions = sum(1 for s in raw["sections"] for x in s["questions"] if "dimension" not in x)
        return raw

    # -- survey rows ------------------------------------------------------------------------------------

    def show_if(self, row: _Row) -> str | None:
        """Our ``show_if`` kept verbatim while ``relevant`` still says the same; else ``relevant`` read."""
        relevant, ours = row.get("relevant"), row.get("show_if")
        if ours:
            try:
                if not relevant or _same_xpath(to_relevant(ours), relevant):
                    return ours
            except expr.ExpressionError as exc:
                if not relevant:
                    self.reader.add("survey", row.number, "show_if", str(exc))
                    return None
        if not relevant:
            return None
        try:
            return from_relevant(relevant)
        except XPathError as exc:
            self.reader.add("survey", row.number, "relevant", str(exc))
            return None

    def question(self, row: _Row, kind: str, argument: str) -> dict[str, Any]:
        code = row.get("name")
        self.reader.rows_of[code] = f"sheet survey, row {row.number}"
        declared = row.get("question_type")
        q: dict[str, Any] = {"code": code, "text": self.text(row, "label") or {}}
        if not row.get("name"):
            self.reader.add("survey", row.number, "name", "every question needs a name (its variable code)")
        for column, key in (
            ("hint", "help"),
            ("constraint_message", "constraint_message"),
            ("required_message", "required_message"),
        ):
            text = self.text(row, column)
            if text:
                q[key] = text
        if kind != "matrix" and _flag_value(row, "required", self.reader):
            q["required"] = True
        show_if = self.show_if(row)
        if show_if:
            q["show_if"] = show_if
        for column in ("dimension", "monitoring_target", "scale", "source", "default"):
            if row.get(column):
                q[column] = row.get(column)
        for column in ("reverse", "sensitive", "adapted", "keep_with_previous"):
            if _flag_value(row, column, self.reader):
                q[column] = True
        ranges = self._constraint(row)
        qtype = {
            "select_one": "single_choice",
            "select_multiple": "multiple_choice",
            "integer": "number",
            "decimal": "number",
            "text": "text",
            "matrix": "matrix",
        }[kind]
        appearance = set(row.get("appearance").lower().split())
        if kind == "text" and "multiline" in appearance:
            qtype = "long_text"
            appearance.discard("multiline")
        if declared:
            allowed = {"rating": "select_one", "year": "integer"}
            if declared in allowed and allowed[declared] == kind:
                qtype = declared
            elif declared != qtype:
                self.reader.add(
                    "survey", row.number, "question_type", f"{declared!r} does not fit type {row.get('type')!r}"
                )
        q["type"] = qtype
        self._appearance(q, appearance, row)
        if qtype in {"single_choice", "multiple_choice"}:
            q["choices"] = self.choices(argument, row)
        elif qtype == "rating":
            self._rating(q, self.choices(argument, row), row)
        elif qtype == "number" and kind == "decimal":
            q["integer"] = False
        unit = self.text(row, "unit")
        if unit:
            q["unit"] = unit
        self._apply_ranges(q, ranges, row)
        if qtype in {"text", "long_text"} and "max_length" not in q:
            # XLSForm text has no length limit; the longest answer the service keeps is named, not implied.
            q["max_length"] = _LONGEST[qtype]
            self.summary.notes.append(
                f"sheet survey, row {row.number}: {code} takes at most {_LONGEST[qtype]} characters "
                "(set string-length(.) <= N in constraint to change it)"
            )
        indicator = row.get("indicator")
        if indicator:
            q["indicator"] = self._indicator(indicator, q, row)
        return q

    def _appearance(self, q: dict[str, Any], appearance: set[str], row: _Row) -> None:
        if q["type"] == "matrix":
            appearance -= {"table-list", "field-list"}
        if q["type"] == "rating":
            appearance.discard("likert")  # a rating is a scale in a row already
        layouts = {_CHOICE_LAYOUTS[a] for a in appearance if a in _CHOICE_LAYOUTS}
        if q["type"] in {"single_choice", "multiple_choice"} and len(layouts) == 1:
            q["layout"] = layouts.pop()
            appearance = {a for a in appearance if a not in _CHOICE_LAYOUTS}
        for value in sorted(appearance):
            self.reader.add(
                "survey",
                row.number,
                "appearance",
                f"appearance {value!r} is not supported on a {q['type']} question: use minimal, likert or horizontal "
                "on choice questions, multiline on text, field-list or table-list on groups, or leave it empty",
            )

    def statement(self, matrix: dict[str, Any], row: _Row, kind: str, argument: str) -> None:
        if kind != "select_one":
            self.reader.add("survey", row.number, "type", "a matrix (table-list group) holds only select_one rows")
            return
        self.reader.rows_of[row.get("name")] = f"sheet survey, row {row.number}"
        statement: dict[str, Any] = {"code": row.get("name"), "text": self.text(row, "label") or {}}
        if row.get("reverse"):
            statement["reverse"] = _flag_value(row, "reverse", self.reader)
        matrix.setdefault("statements", []).append(statement)
        matrix.setdefault("_rows", []).append((row, argument, _flag_value(row, "required", self.reader)))

    def finish_matrix(self, matrix: dict[str, Any], end: _Row) -> None:
        rows = matrix.pop("_rows", [])
        if not rows:
            self.reader.add("survey", end.number, "type", "a matrix (table-list group) needs select_one rows")
            return
        first, argument, _ = rows[0]
        if len({a for _, a, _ in rows}) > 1:
            self.reader.add("survey", first.number, "type", "every row of a matrix must use the same choice list")
        if len({r for _, _, r in rows}) > 1:
            self.reader.add("survey", first.number, "required", "the rows of a matrix are all required or none")
        if rows[0][2]:
            matrix["required"] = True
        matrix["choices"] = self.choices(argument, first)
        if "indicator" in matrix:
            matrix["indicator"] = self._indicator(matrix.pop("_indicator_cell"), matrix, first)

    def other_text(self, q: dict[str, Any], row: _Row) -> dict[str, Any]:
        """``or_other``: the choice "other" on the list, and a text question asked when it is chosen."""
        if any(str(c["code"]) == OTHER for c in q.get("choices", [])):
            self.reader.add("survey", row.number, "type", f"the list already has a choice {OTHER!r}: remove or_other")
        q["choices"] = [*q.get("choices", []), {"code": OTHER, "label": _in_every_language(N_("Other"), self)}]
        code = f"{q['code']}_other"
        self.reader.rows_of[code] = f"sheet survey, row {row.number}"
        test = "contains" if q["type"] == "multiple_choice" else "=="
        specify: dict[str, Any] = {
            "type": "text",
            "code": code,
            "text": _in_every_language(N_("Please specify"), self),
            "show_if": f"{q['code']} {test} '{OTHER}'",
        }
        if "dimension" in q:
            specify["dimension"] = q["dimension"]
        return specify

    def _rating(self, q: dict[str, Any], items: list[dict[str, Any]], row: _Row) -> None:
        points = [c for c in items if not c.get("missing")]
        codes = [c["code"] for c in points]
        if (
            not codes
            or not all(isinstance(c, int) for c in codes)
            or codes != list(range(codes[0], codes[0] + len(codes)))
        ):
            self.reader.add(
                "survey",
                row.number,
                "type",
                "a rating's choices must be consecutive whole numbers (plus non-substantive ones)",
            )
            return
        q.update(min=codes[0], max=codes[-1], min_label=points[0]["label"], max_label=points[-1]["label"])
        extra = [c for c in items if c.get("missing")]
        if extra:
            q["extra_choices"] = extra

    def _constraint(self, row: _Row) -> list[tuple[str, str, float]]:
        text = row.get("constraint")
        if not text:
            return []
        out = []
        for term in re.split(r"\s+and\s+", text):
            m = _RANGE_TERM.match(term)
            if m is None:
                self.reader.add(
                    "survey",
                    row.number,
                    "constraint",
                    f"only ranges are supported, e.g. '. >= 1 and . <= 20', '. > 14', 'count-selected(.) <= 2', "
                    f"'string-length(.) <= 200'; cannot read {term.strip()!r}",
                )
                continue
            lhs = re.sub(r"\s", "", m.group("lhs"))
            out.append((lhs, m.group("op"), float(m.group("num"))))
        return out

    def _apply_ranges(self, q: dict[str, Any], ranges: list[tuple[str, str, float]], row: _Row) -> None:
        fits = {
            "number": ".",
            "year": ".",
            "multiple_choice": "count-selected(.)",
            "text": "string-length(.)",
            "long_text": "string-length(.)",
        }
        names = {
            ".": ("min", "max"),
            "count-selected(.)": ("min_selected", "max_selected"),
            "string-length(.)": (None, "max_length"),
        }
        whole_numbers = q["type"] != "number" or q.get("integer", True)
        for lhs, op, value in ranges:
            if fits.get(q["type"]) != lhs:
                self.reader.add(
                    "survey", row.number, "constraint", f"{lhs} ranges do not apply to a {q['type']} question"
                )
                continue
            if op in _ORDER_OPS:
                # A strict bound on whole numbers is the next whole number: . > 14 is . >= 15.
                if not whole_numbers or not value.is_integer():
                    self.reader.add(
                        "survey", row.number, "constraint", f"write the bound of a decimal with >= or <=, not {op}"
                    )
                    continue
                value, op = (value + 1, ">=") if op == ">" else (value - 1, "<=")
            name = names[lhs][0 if op == ">=" else 1]
            if name is None:
                self.reader.add("survey", row.number, "constraint", "text length can only have a maximum")
                continue
            whole = (name != "min" and name != "max") or q["type"] == "year"
            q[name] = int(value) if whole and value.is_integer() else value

    def _indicator(self, cell: str, q: dict[str, Any], row: _Row) -> dict[str, Any]:
        kind, _, codes = cell.partition(":")
        if kind.strip() != "share" or not codes.split():
            self.reader.add("survey", row.number, "indicator", "write the favourable codes as 'share:1 2'")
            return {"favourable": []}
        known = {str(c["code"]): c["code"] for c in q.get("choices", []) + q.get("extra_choices", [])}
        indicator: dict[str, Any] = {"favourable": [known.get(c, choice_code(c)) for c in codes.split()]}
        label = self.text(row, "indicator_label")
        if label:
            indicator["label"] = label
        if q["type"] == "matrix" and "choices" not in q:
            q["_indicator_cell"] = cell  # resolved when the matrix's choice list is known
        return indicator

    # -- extra sheets -----------------------------------------------------------------------------------

    def _language_sheet(self) -> tuple[dict[str, Any], dict[str, str]]:
        languages: dict[str, Any] = {}
        titles: dict[str, str] = {}
        for row in self.read.get("languages", ([], []))[1]:
            code = row.get("code")
            if not _BARE_CODE.match(code):
                self.reader.add("languages", row.number, "code", f"{code!r} is not a language code")
                continue
            info: dict[str, Any] = {"status": row.get("status") or "draft"}
            if row.get("note"):
                info["note"] = row.get("note")
            if row.get("outdated"):
                info["outdated"] = row.get("outdated").split()
            languages[code] = info
            if row.get("title"):
                titles[code] = row.get("title")
        return languages, titles

    def _derived(self, report: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in self.read.get("derived", ([], []))[1]:
            name = row.get("name")
            if not name:
                self.reader.add("derived", row.number, "name", "every row needs the derived variable's name")
                continue
            self.reader.rows_of.setdefault(name, f"sheet derived, row {row.number}")
            recode = out.setdefault(name, {"code": name, "map": {}, "labels": {}})
            value = row.get("value")
            if not value:
                recode["source"] = row.get("source")
                recode["text"] = self.text(row, "label") or {}
                if row.get("report_by"):
                    report.append((row.get("report_by"), name, row.number))
                continue
            recode["labels"][value] = self.text(row, "label") or {}
            for source_code in row.get("from").split():
                recode["map"][source_code] = choice_code(value)
        for name, recode in out.items():
            if "source" not in recode:
                self.reader.add(
                    "derived", None, "source", f"{name}: add a row without a value giving its source and text"
                )
        return list(out.values())

    def _scales(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for row in self.read.get("scales", ([], []))[1]:
            name = row.get("name")
            if not name:
                self.reader.add(
                    "scales", row.number, "name", "every row needs the scale's name (as in the scale column)"
                )
                continue
            out[name] = self.text(row, "label") or {}
        return out

    def _reporting_groups(self, report: list[tuple[str, str, int]]) -> list[str]:
        if all(cell.lower() in _TRUE for cell, _, _ in report):
            return [code for _, code, _ in report]
        ranked = []
        for cell, code, number in report:
            if not cell.isdigit():
                self.reader.add(
                    "survey", number, "report_by", "use 'yes' everywhere, or numbers everywhere to set the order"
                )
                continue
            ranked.append((int(cell), code))
        return [code for _, code in sorted(ranked)]


@dataclass
class _Group:
    row: _Row
    title: dict[str, str] | None
    show_if: str | None
    sections: int = 0  # sections made from this group so far


class _Layout:
    """Survey rows -> sections: a group is a section (one page); questions before, between or after groups
    and the rest of a group after a nested group form sections of their own; a ``table-list`` group is a
    matrix; a note before the first question is the description, any other note opens a section."""

    def __init__(self, builder: _Builder, raw: dict[str, Any], report: list[tuple[str, str, int]]) -> None:
        self.b = builder
        self.reader = builder.reader
        self.raw = raw
        self.report = report
        self.groups: list[_Group] = []
        self.section: dict[str, Any] | None = None
        self.matrix: dict[str, Any] | None = None
        self.ids: set[str] = set()

    def run(self, rows: list[_Row]) -> None:
        self.matrices = _matrix_groups(rows)
        for row in rows:
            if _flag_value(row, "disabled", self.reader):
                continue
            self.row(row)
        if self.groups or self.matrix is not None:
            self.reader.add("survey", None, "type", "a begin_group has no matching end_group")
        self.raw["sections"] = [s for s in self.raw["sections"] if s["questions"] or "intro" in s]

    def row(self, row: _Row) -> None:
        written = " ".join(row.get("type").split())
        kind = written.lower()
        control = _CONTROL.match(kind)
        select = _SELECT.match(written)
        core = "_".join(re.sub(r"^(?:q |add )|(?: prompt)$", "", kind).split())
        if not kind:
            if row.get("name") or row.get("label"):
                self.reader.add("survey", row.number, "type", "every row needs a type")
        elif control:
            self.control(row, control)
        elif core in _METADATA_TYPES:
            self.reader.summary.skipped_rows.append(f"sheet survey, row {row.number}: {written}")
        elif select:
            command = " ".join(select.group("command").lower().split())
            refused = _REFUSED_SELECTS.get(command)
            if refused:
                self.refuse(row, written, *refused)
                return
            kind = next(k for k, commands in _SELECT_COMMANDS.items() if command in commands)
            self.question(row, kind, select.group("list"), other=bool(select.group("other")))
        elif _QUESTION_TYPES.get(core) == "note":
            self.note(row)
        elif core in _QUESTION_TYPES:
            self.question(row, _QUESTION_TYPES[core], "")
        elif core in _REFUSED_TYPES:
            self.refuse(row, written, *_REFUSED_TYPES[core])
        elif kind.startswith("cascading"):
            self.refuse(row, written, "cascading selects", "use one choice list per case with relevant")
        else:
            self.reader.add(
                "survey",
                row.number,
                "type",
                f"type {written!r} is not supported; supported: select_one, select_multiple (or_other), integer, "
                "decimal, text, note, begin_group, end_group",
            )

    def refuse(self, row: _Row, written: str, feature: str, instead: str) -> None:
        self.reader.add(
            "survey", row.number, "type", f"type {written!r} is not supported: {feature} are not; {instead}"
        )

    def unique_id(self, wanted: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", wanted)[:28] or "section"
        base = base if base[0].isalpha() else f"s_{base}"[:28]
        candidate, n = base, 1
        while candidate.lower() in self.ids:
            n += 1
            candidate = f"{base}_{n}"
        self.ids.add(candidate.lower())
        return candidate

    def open_section(self, row: _Row | None = None) -> dict[str, Any]:
        """A new section: the innermost group's title and skip logic, or the form title outside groups."""
        group = self.groups[-1] if self.groups else None
        if group is not None:
            group.sections += 1
            name = group.row.get("name") or "group"
            title = self.b.everywhere(group.title) if group.title else self.b.everywhere(self.b.form_title)
            made = "" if group.sections == 1 else "(the rest of a group after a nested group)"
        else:
            name, title, made = "questions", self.b.everywhere(self.b.form_title), "(questions outside any group)"
        section: dict[str, Any] = {"id": self.unique_id(name), "title": title, "questions": []}
        if made:
            section["_made"] = made
        conditions = [g.show_if for g in self.groups if g.show_if]
        if conditions:
            section["show_if"] = " and ".join(f"({c})" if len(conditions) > 1 else c for c in conditions)
        where = row or (group.row if group else None)
        if where is not None:
            self.reader.rows_of[section["id"]] = f"sheet survey, row {where.number}"
        self.raw["sections"].append(section)
        self.section = section
        return section

    def control(self, row: _Row, control: re.Match[str]) -> None:
        begin = control.group("end") == "begin"
        if control.group("kind") != "group":
            if begin:
                self.refuse(row, row.get("type"), "repeats", "ask each item as a question of its own")
            return
        if begin:
            appearance = row.get("appearance").lower().split()
            if row.number in self.matrices and self.matrix is None:
                if self.section is None:
                    self.open_section(row)
                assert self.section is not None
                self.matrix = self.b.question(row, "matrix", "")
                self.section["questions"].append(self.matrix)
                if row.get("report_by"):
                    self.report.append((row.get("report_by"), row.get("name"), row.number))
                return
            if self.matrix is not None:
                self.reader.add("survey", row.number, "type", "a matrix (table-list group) cannot hold a group")
                return
            for value in appearance:
                if value not in {"field-list", "table-list"}:
                    self.reader.add(
                        "survey",
                        row.number,
                        "appearance",
                        f"appearance {value!r} is not supported on a group: use field-list, table-list or nothing",
                    )
            self.groups.append(_Group(row, self.b.text(row, "label"), self.b.show_if(row)))
            self.open_section(row)
            return
        if self.matrix is not None:
            self.b.finish_matrix(self.matrix, row)
            self.matrix = None
        elif self.groups:
            self.groups.pop()
            self.section = None
        else:
            self.reader.add("survey", row.number, "type", "end_group without a begin_group")

    def note(self, row: _Row) -> None:
        text = self.b.text(row, "label") or {}
        if self.matrix is not None:
            self.reader.add("survey", row.number, "type", "a matrix (table-list group) holds only select_one rows")
        elif not self.raw["sections"] and "description" not in self.raw:
            self.raw["description"] = text
        elif self.section is not None and not self.section["questions"] and "intro" not in self.section:
            self.section["intro"] = text
        else:
            self.open_section(row)["intro"] = text

    def question(self, row: _Row, kind: str, argument: str, *, other: bool = False) -> None:
        if self.matrix is not None:
            if other:
                self.reader.add("survey", row.number, "type", "a matrix row cannot have or_other")
            self.b.statement(self.matrix, row, kind, argument)
        else:
            section = self.section if self.section is not None else self.open_section(row)
            q = self.b.question(row, kind, argument)
            section["questions"].append(q)
            if other:
                section["questions"].append(self.b.other_text(q, row))
        if row.get("report_by"):
            self.report.append((row.get("report_by"), row.get("name"), row.number))


def _matrix_groups(rows: list[_Row]) -> set[int]:
    """Rows of the ``table-list`` groups that are matrices: select_one rows of one choice list and nothing
    else up to their end. Any other table-list group is laid out as a group (a section) of its own."""
    out: set[int] = set()
    for i, row in enumerate(rows):
        begin = _CONTROL.match(" ".join(row.get("type").split()).lower())
        if not begin or begin.group("end") != "begin" or "table-list" not in row.get("appearance").lower().split():
            continue
        lists: set[str] = set()
        for inner in rows[i + 1 :]:
            written = " ".join(inner.get("type").split())
            control = _CONTROL.match(written.lower())
            if control:
                if control.group("end") == "end" and len(lists) == 1:
                    out.add(row.number)
                break
            select = _SELECT.match(written)
            command = " ".join(select.group("command").lower().split()) if select else ""
            if select is None or command not in _SELECT_COMMANDS["select_one"] or select.group("other"):
                break
            lists.add(select.group("list"))
    return out


def N_(message: str) -> str:
    """Marks a resident-facing string for the catalogues; it is translated per language when used."""
    return message


def _in_every_language(message: str, builder: _Builder) -> dict[str, str]:
    """A string the reader adds (``or_other``'s choice and question) in every language of the form, from the
    resident pages' catalogues (English where a language has none)."""
    books = catalogues()
    return {lang: books[ui_language(lang)].gettext(message) for lang in builder.all_languages}


def _same_xpath(a: str, b: str) -> bool:
    return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)
