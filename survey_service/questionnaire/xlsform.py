"""XLSForm (.xlsx) <-> questionnaire definitions, so staff can design in a spreadsheet and ODK tools can
read our questionnaires.

Standard XLSForm carries the structure: sheets ``survey`` (type, name, ``label::Language (code)``,
``hint::…``, required, relevant, constraint, appearance), ``choices`` (list_name, name, labels) and
``settings`` (form_title, form_id, version, default_language = the source language). Extra columns and
sheets, which ODK tools ignore, carry what XLSForm has no words for:

- survey columns ``dimension``, ``monitoring_target``, ``indicator`` (``share:1 2`` = the favourable
  codes), ``indicator_label::…``, ``scale``, ``reverse``, ``sensitive``, ``source``, ``adapted``,
  ``report_by`` (``yes``, or numbers to order the reporting groups), ``unit::…``, ``show_if`` (our skip
  logic, kept verbatim while it still matches ``relevant``) and ``question_type`` (``rating`` on a
  ``select_one``, ``year`` on an ``integer``; every other type follows from the XLSForm type);
- choices columns ``missing`` (non-substantive) and ``exclusive``;
- sheet ``languages``: one row per language with ``code``, ``status``, ``note``, ``title`` and
  ``outdated`` (string keys, space-separated);
- sheet ``derived``: recoded variables (``name``, ``source``, ``value``, ``from``, ``report_by``,
  ``label::…``; a row without ``value`` holds the variable's own text).

Mapping: a top-level ``begin_group`` is a section (one page); a ``begin_group`` with appearance
``table-list`` inside it is a matrix whose ``select_one`` rows are its statements; a ``note`` before the
first group is the description and a ``note`` at the start of a group the section's introduction;
``select_one`` / ``select_multiple`` / ``integer`` / ``decimal`` / ``text`` (``multiline``: long text)
are questions; ``constraint`` holds ranges only (``. >= 1 and . <= 20``, ``count-selected(.) <= 2``,
``string-length(.) <= 200``). Choice names that are whole numbers become integer codes. Device metadata
rows (start, end, deviceid, …) are skipped: the service never collects them.

Reading never stores anything: it returns a ``Questionnaire`` or raises ``DefinitionError`` whose
problems name the sheet, the row and the column.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from babel import Locale, UnknownLocaleError
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

MAX_FILE_BYTES = 5_000_000
MAX_ROWS = 5000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 20_000
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_CANONICAL_INT = re.compile(r"^(0|-?[1-9][0-9]*)$")
_LANGUAGE_IN_HEADER = re.compile(r"\(([a-z]{2,3}(?:-[a-z0-9]{1,8})*)\)\s*$")
_BARE_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")
_RANGE_TERM = re.compile(
    r"^\s*(?P<lhs>\.|count-selected\(\s*\.\s*\)|string-length\(\s*\.\s*\))\s*(?P<op>>=|<=)\s*(?P<num>-?\d+(?:\.\d+)?)\s*$"
)
_METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
}
_UNSUPPORTED_COLUMNS = ("choice_filter", "calculation", "default", "repeat_count", "trigger", "read_only")
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
        + ["required", "relevant", "constraint", "appearance", "show_if", "question_type", "dimension"]
        + ["monitoring_target", "indicator"]
        + [f"indicator_label::{headers[lang]}" for lang in langs]
        + ["scale", "reverse", "sensitive", "source", "adapted", "report_by"]
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
                survey.add(type=f"select_one {choice_list(x.code, plain(x.choices))}", required=required, **row)
            elif isinstance(x, MultipleChoice):
                constraint = _ranges("count-selected(.)", x.min_selected, x.max_selected)
                listed = choice_list(x.code, plain(x.choices))
                survey.add(type=f"select_multiple {listed}", required=required, constraint=constraint, **row)
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

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in (survey, choices, settings, languages):
        sheet.write(wb)
    if q.derived:
        derived.write(wb)
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
# Reading
# ==========================================================================================================


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


def _read_sheet(ws: Worksheet, name: str, reader: _Reader) -> tuple[list[str], list[_Row]]:
    headers: list[str] = []
    rows: list[_Row] = []
    for number, cells in enumerate(ws.iter_rows(), start=1):
        if number > MAX_ROWS + 1:
            reader.add(name, None, "", f"more than {MAX_ROWS} rows")
            break
        values = []
        for index, cell in enumerate(cells):
            if cell.value is None:
                values.append("")
                continue
            column = headers[index] if index < len(headers) else f"#{index + 1}"
            if getattr(cell, "data_type", None) == "f":
                reader.add(name, number, column, "formulas are not supported: enter the value itself")
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
                headers = [v.strip() for v in values]
                if len(headers) > MAX_COLUMNS:
                    reader.add(name, number, "", f"more than {MAX_COLUMNS} columns")
                    return [], []
                seen: set[str] = set()
                for h in headers:
                    if h and h in seen:
                        reader.add(name, number, h, "the column appears twice")
                    seen.add(h)
            continue
        if not any(values):
            continue
        cells_by_name = {h: v for h, v in zip(headers, values, strict=False) if h and v}
        rows.append(_Row(name, number, cells_by_name))
    return headers, rows


def _language_of_column(header: str) -> str | None:
    """``label::Suomi (fi)`` -> ``fi``; ``label::fi`` -> ``fi``; None when no code can be found."""
    _, _, lang_part = header.partition("::")
    m = _LANGUAGE_IN_HEADER.search(lang_part)
    if m:
        return m.group(1)
    return lang_part.strip() if _BARE_CODE.match(lang_part.strip()) else None


def _flag_value(row: _Row, column: str, reader: _Reader) -> bool:
    text = row.get(column).lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        reader.add(row.sheet, row.number, column, f"expected yes or no, not {row.get(column)!r}")
    return False


def from_xlsform(data: bytes, file: str = "form.xlsx", *, complete: bool = True) -> Questionnaire:
    """Read an XLSForm workbook into a validated ``Questionnaire``; ``DefinitionError`` names sheet, row, column."""
    reader = _Reader(file)
    if len(data) > MAX_FILE_BYTES:
        raise DefinitionError([Problem(file, "", "", f"file is larger than {MAX_FILE_BYTES} bytes")])
    try:
        wb = open_workbook(data, max_cells_per_row=MAX_COLUMNS)
    except WorkbookRejected as exc:
        raise DefinitionError([Problem(file, "", "", str(exc))]) from None
    try:
        sheets = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        if "survey" not in sheets:
            raise DefinitionError([Problem(file, "", "", "the workbook has no 'survey' sheet")])
        names = ("survey", "choices", "settings", "languages", "derived")
        read = {name: _read_sheet(sheets[name], name, reader) for name in names if name in sheets}
    finally:
        wb.close()
    reader.fail_if_any()
    raw = _Builder(reader, read).build()
    reader.fail_if_any()
    try:
        q = decode(raw, file)
    except DefinitionError as exc:
        raise DefinitionError([_relocate(p, reader) for p in exc.problems]) from None
    problems = validate(q, file, complete=complete)
    if problems:
        raise DefinitionError([_relocate(p, reader) for p in problems])
    return q


def _relocate(problem: Problem, reader: _Reader) -> Problem:
    """Name the sheet and row of a problem found in the decoded definition (question X -> its row)."""
    kind, _, code = problem.location.partition(" ")
    row = reader.rows_of.get(code) if kind in {"question", "section", "derived"} else None
    if row is None and problem.location == "questionnaire":
        row = "sheet settings"
    where = f"{row} ({problem.location})" if row else problem.location
    name, _, lang = problem.field.partition(".")
    column = {"text": "label", "help": "hint", "unit": "unit"}.get(name)
    if row and column and lang in reader.headers_of:
        return Problem(problem.file, where, f"column {column}::{reader.headers_of[lang]}", problem.message)
    return Problem(problem.file, where, problem.field, problem.message)


class _Builder:
    """Turns the read sheets into the raw definition mapping (then decoded and validated as YAML is)."""

    def __init__(self, reader: _Reader, read: dict[str, tuple[list[str], list[_Row]]]) -> None:
        self.reader = reader
        self.read = read
        self.survey_headers, self.survey = read["survey"]
        self.languages = self._languages()
        self.lists = self._choice_lists()
        self.settings = read.get("settings", ([], []))[1]
        self.setting = self.settings[0] if self.settings else _Row("settings", 2, {})

    # -- languages --------------------------------------------------------------------------------------

    def _languages(self) -> dict[str, str]:
        """Translated column header -> language code, for every sheet that has labels."""
        by_header: dict[str, str] = {}
        for sheet, (headers, _) in self.read.items():
            plain = "label" in headers
            translated = [h for h in headers if "::" in h]
            if plain and any(h.startswith("label::") for h in translated):
                self.reader.add(
                    sheet,
                    1,
                    "label",
                    "a plain 'label' column next to 'label::Language (code)' columns makes an unnamed language: "
                    "name its language",
                )
            for h in translated:
                code = _language_of_column(h)
                if code is None:
                    self.reader.add(
                        sheet, 1, h, "name the language with its code in parentheses, e.g. 'label::Suomi (fi)'"
                    )
                else:
                    by_header[h] = code
                    self.reader.headers_of.setdefault(code, h.partition("::")[2])
        return by_header

    def source_language(self) -> str:
        default = self.setting.get("default_language")
        if default:
            m = _LANGUAGE_IN_HEADER.search(default)
            code = m.group(1) if m else default.strip()
            if _BARE_CODE.match(code):
                return code
            self.reader.add(
                "settings",
                self.setting.number,
                "default_language",
                "give the language as 'Name (code)', e.g. 'Suomi (fi)'",
            )
        codes = [c for h, c in self.languages.items() if h.startswith("label::")]
        if codes:
            return codes[0]
        self.reader.add(
            "survey",
            1,
            "label",
            "name the language of the labels: 'label::Suomi (fi)' columns or settings default_language",
        )
        return "fi"

    def text(self, row: _Row, prefix: str) -> dict[str, str] | None:
        out = {
            code: row.cells[h] for h, code in self.languages.items() if h.startswith(prefix + "::") and h in row.cells
        }
        if prefix in row.cells:
            out.setdefault(self.source, row.cells[prefix])
        return out or None

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

    # -- survey rows ------------------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        self.source = self.source_language()
        raw: dict[str, Any] = {"slug": self.setting.get("form_id"), "source_language": self.source, "sections": []}
        if not raw["slug"]:
            self.reader.add("settings", self.setting.number, "form_id", "give the questionnaire's slug as form_id")
        languages, titles = self._language_sheet()
        raw["title"] = titles or (
            {self.source: self.setting.get("form_title")} if self.setting.get("form_title") else {}
        )
        if not raw["title"]:
            self.reader.add("settings", self.setting.number, "form_title", "give the questionnaire a title")
        section: dict[str, Any] | None = None
        matrix: dict[str, Any] | None = None
        report: list[tuple[str, str, int]] = []  # (report_by cell, code, row)
        for row in self.survey:
            kind, _, argument = row.get("type").partition(" ")
            kind = kind.strip().lower().replace(" ", "_")
            argument = argument.strip()
            if row.get("type").lower().strip() in {"begin group", "end group"}:
                kind = row.get("type").lower().strip().replace(" ", "_")
            self._refuse_unsupported_columns(row)
            if not kind:
                self.reader.add("survey", row.number, "type", "every row needs a type")
            elif kind in _METADATA_TYPES:
                continue
            elif kind == "begin_group":
                if section is None:
                    section = self._section(row)
                    raw["sections"].append(section)
                elif matrix is None and "table-list" in row.get("appearance"):
                    matrix = self._question(row, "matrix", "")
                    section["questions"].append(matrix)
                else:
                    self.reader.add(
                        "survey", row.number, "type", "groups can nest only once, as a matrix (appearance table-list)"
                    )
            elif kind == "end_group":
                if matrix is not None:
                    self._finish_matrix(matrix, row)
                    matrix = None
                elif section is not None:
                    section = None
                else:
                    self.reader.add("survey", row.number, "type", "end_group without a begin_group")
            elif kind == "note":
                self._note(row, raw, section)
            elif kind in {"select_one", "select_multiple", "integer", "decimal", "text"}:
                if matrix is not None:
                    self._statement(matrix, row, kind, argument)
                elif section is None:
                    self.reader.add(
                        "survey", row.number, "type", "questions must be inside a begin_group … end_group section"
                    )
                else:
                    section["questions"].append(self._question(row, kind, argument))
                if row.get("report_by"):
                    report.append((row.get("report_by"), row.get("name"), row.number))
            else:
                self.reader.add(
                    "survey",
                    row.number,
                    "type",
                    f"type {row.get('type')!r} is not supported; supported: select_one, select_multiple, integer, "
                    "decimal, text, note, begin_group, end_group",
                )
        if section is not None or matrix is not None:
            self.reader.add("survey", None, "type", "a begin_group has no matching end_group")
        raw["languages"] = languages or {}
        for lang in {*self.languages.values()} | {self.source}:
            raw["languages"].setdefault(lang, {"status": "draft"})
        derived = self._derived(report)
        if derived:
            raw["derived"] = derived
        groups = self._reporting_groups(report)
        if groups:
            raw["reporting_groups"] = groups
        return raw

    def _refuse_unsupported_columns(self, row: _Row) -> None:
        for column in _UNSUPPORTED_COLUMNS:
            if row.get(column):
                self.reader.add("survey", row.number, column, f"'{column}' is not supported")

    def _section(self, row: _Row) -> dict[str, Any]:
        section: dict[str, Any] = {"id": row.get("name"), "title": self.text(row, "label") or {}, "questions": []}
        self.reader.rows_of[row.get("name")] = f"sheet survey, row {row.number}"
        show_if = self._show_if(row)
        if show_if:
            section["show_if"] = show_if
        return section

    def _note(self, row: _Row, raw: dict[str, Any], section: dict[str, Any] | None) -> None:
        text = self.text(row, "label")
        if section is None and not raw["sections"] and "description" not in raw:
            raw["description"] = text
        elif section is not None and not section["questions"] and "intro" not in section:
            section["intro"] = text
        else:
            self.reader.add(
                "survey",
                row.number,
                "type",
                "a note is supported only before the first group (the description) or as the first row of a group "
                "(the section's introduction)",
            )

    def _show_if(self, row: _Row) -> str | None:
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

    def _question(self, row: _Row, kind: str, argument: str) -> dict[str, Any]:
        code = row.get("name")
        self.reader.rows_of[code] = f"sheet survey, row {row.number}"
        declared = row.get("question_type")
        q: dict[str, Any] = {"code": code, "text": self.text(row, "label") or {}}
        help_text = self.text(row, "hint")
        if help_text:
            q["help"] = help_text
        if kind != "matrix" and _flag_value(row, "required", self.reader):
            q["required"] = True
        show_if = self._show_if(row)
        if show_if:
            q["show_if"] = show_if
        for column in ("dimension", "monitoring_target", "scale", "source"):
            if row.get(column):
                q[column] = row.get(column)
        for column in ("reverse", "sensitive", "adapted"):
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
        if kind == "text" and "multiline" in row.get("appearance"):
            qtype = "long_text"
        if declared:
            allowed = {"rating": "select_one", "year": "integer"}
            if declared in allowed and allowed[declared] == kind:
                qtype = declared
            elif declared != qtype:
                self.reader.add(
                    "survey", row.number, "question_type", f"{declared!r} does not fit type {row.get('type')!r}"
                )
        q["type"] = qtype
        if qtype in {"single_choice", "multiple_choice"}:
            q["choices"] = self.choices(argument, row)
        elif qtype == "rating":
            self._rating(q, self.choices(argument, row), row)
        elif qtype == "number" and kind == "decimal":
            q["integer"] = False
        if row.get("unit::" + self._header_of(self.source)) or any(h.startswith("unit::") for h in row.cells):
            q["unit"] = self.text(row, "unit")
        self._apply_ranges(q, ranges, row)
        indicator = row.get("indicator")
        if indicator:
            q["indicator"] = self._indicator(indicator, q, row)
        return q

    def _header_of(self, lang: str) -> str:
        return next((h.partition("::")[2] for h, c in self.languages.items() if c == lang), lang)

    def _statement(self, matrix: dict[str, Any], row: _Row, kind: str, argument: str) -> None:
        if kind != "select_one":
            self.reader.add("survey", row.number, "type", "a matrix (table-list group) holds only select_one rows")
            return
        self.reader.rows_of[row.get("name")] = f"sheet survey, row {row.number}"
        statement: dict[str, Any] = {"code": row.get("name"), "text": self.text(row, "label") or {}}
        if row.get("reverse"):
            statement["reverse"] = _flag_value(row, "reverse", self.reader)
        matrix.setdefault("statements", []).append(statement)
        matrix.setdefault("_rows", []).append((row, argument, _flag_value(row, "required", self.reader)))

    def _finish_matrix(self, matrix: dict[str, Any], end: _Row) -> None:
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
                    f"only ranges are supported, e.g. '. >= 1 and . <= 20', 'count-selected(.) <= 2', "
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
        for lhs, op, value in ranges:
            if fits.get(q["type"]) != lhs:
                self.reader.add(
                    "survey", row.number, "constraint", f"{lhs} ranges do not apply to a {q['type']} question"
                )
                continue
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


def _same_xpath(a: str, b: str) -> bool:
    return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)
