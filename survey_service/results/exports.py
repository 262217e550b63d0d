"""Exports of a wave's responses: one row per response, codes or labels, with a codebook.

CSV streams in chunks (bounded memory for any number of responses); XLSX is written in openpyxl's
write-only mode; SPSS .sav and Stata .dta carry variable and value labels (pyreadstat); Parquet is
written in row groups (pyarrow). Text cells that a spreadsheet would run as a formula get a leading
apostrophe in CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey_service.questionnaire.schema import Questionnaire
from survey_service.results.data import StoredResponse
from survey_service.results.render import LANGUAGES, translations
from survey_service.results.schema import Report
from survey_service.results.variables import ChoiceInfo, VariableInfo, recode_value, variables

FORMATS = ("csv", "xlsx", "sav", "dta", "parquet", "ddi")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "parquet": "application/vnd.apache.parquet",
    "ddi": "application/xml",
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "sav": "sav", "dta": "dta", "parquet": "parquet", "ddi": "xml"}
WAVE_COLUMNS = ("wave", "year")
META_COLUMNS = ("language", "mode")
WEIGHT = "weight"
# labels of the columns that are not questions, in the languages of the staff and the reports (others: English)
META_LABELS: dict[str, dict[str, str]] = {
    "wave": {"fi": "Kyselykierros", "sv": "Enkätomgång", "en": "Survey wave"},
    "year": {"fi": "Kyselykierroksen vuosi", "sv": "Enkätomgångens år", "en": "Year of the survey wave"},
    "language": {"fi": "Vastauskieli", "sv": "Svarsspråk", "en": "Response language"},
    "mode": {
        "fi": "Tiedonkeruutapa (web, paper, interview, import)",
        "sv": "Insamlingssätt (web, paper, interview, import)",
        "en": "Mode of data collection (web, paper, interview, import)",
    },
    WEIGHT: {
        "fi": "Lopullinen paino (vakiointi väestön reunajakaumiin, raking)",
        "sv": "Slutlig vikt (kalibrering till befolkningens marginaler, raking)",
        "en": "Final weight (raking to population margins)",
    },
}
CSV_CHUNK_ROWS = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def utf8_length(text: str) -> int:
    return len(text.encode())


# (variable label, value label) limits and how they are measured: Stata 15 (.dta 118) counts characters,
# SPSS counts UTF-8 bytes (longer labels are cut silently by pyreadstat, possibly inside a word)
LABEL_LIMITS: dict[str, tuple[int, int, Callable[[str], int]]] = {
    "dta": (80, 32_000, len),
    "sav": (256, 120, utf8_length),
}


def meta_label(column: str, language: str) -> str:
    return META_LABELS[column].get(language) or META_LABELS[column]["en"]


def fit(text: str, limit: int, size: Callable[[str], int] = len) -> str:
    """``text`` within ``limit`` (characters, or what ``size`` measures): cut at a word where possible,
    with an ellipsis."""
    if size(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    while cut and size(cut + "…") > limit:
        cut = cut[:-1]
    if " " in cut[len(cut) // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…" if cut else ""


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate (=, +, -, @ first) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def whole(v: VariableInfo, value: Any) -> Any:
    """A number of an integer question as an int (a stored 34.0 is 34); other values as they are."""
    if v.integer and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One response with the wave it belongs to and its final weight (None when the wave is unweighted)."""

    wave: str
    year: int
    weight: float | None
    response: StoredResponse


class Table:
    """Turns stored responses into export rows: the wave, its year, the final weight when the wave is
    weighted, then one column per variable (derived ones included).

    Free-text answers may hold what residents wrote about themselves or others: their columns are left out
    unless ``free_text`` asks for them.
    """

    def __init__(
        self, q: Questionnaire, labels: str | None = None, weighted: bool = False, *, free_text: bool = False
    ) -> None:
        if labels is not None and labels not in q.languages:
            raise ValueError(f"labels language {labels!r} is not one of the questionnaire's ({', '.join(q.languages)})")
        self.questionnaire = q
        self.labels = labels
        self.weighted = weighted
        self.variables = [v for v in variables(q) if free_text or v.kind != "text"]
        self._by_code = {v.code: v for v in self.variables}
        self.meta = [*WAVE_COLUMNS, *META_COLUMNS, *([WEIGHT] if weighted else [])]
        self.columns = [*self.meta, *(v.code for v in self.variables)]

    def values(self, row: ExportRow) -> list[Any]:
        """One response as a list of cells (None for no answer); multiple choice space-separated."""
        r = row.response
        out: list[Any] = [row.wave, row.year, r.language, r.mode]
        if self.weighted:
            out.append(row.weight)
        for v in self.variables:
            if v.kind == "derived" and v.source is not None:
                value = recode_value(v, r.answers.get(v.source), self._by_code[v.source])
            else:
                value = r.answers.get(v.code)
            out.append(self.cell(v, value))
        return out

    def cell(self, v: VariableInfo, value: Any) -> Any:
        if value is None:
            return None
        if v.kind == "multiple":
            return " ".join(self._label(v, x) for x in value)
        if v.choices and (v.coded or any(str(c.code) == str(value) for c in v.choices)):
            return self._label(v, value)
        return whole(v, value)

    def _label(self, v: VariableInfo, code: Any) -> Any:
        if self.labels is None:
            return code
        return v.label(code, self.labels, self.questionnaire.source_language)


def codebook_rows(q: Questionnaire, weighted: bool = False) -> Iterator[list[Any]]:
    """The codebook: a row per variable (its question text) and a row per value (its label), every language."""
    langs = [q.source_language, *(lang for lang in q.languages if lang != q.source_language)]
    yield ["variable", "type", "value", "non_substantive", *(f"label:{lang}" for lang in langs)]
    for name in (*WAVE_COLUMNS, *META_COLUMNS, *([WEIGHT] if weighted else [])):
        yield [name, "meta", "", "", *(meta_label(name, lang) for lang in langs)]
    for v in variables(q):
        yield [v.code, v.kind, "", "", *(v.text.get(lang, "") for lang in langs)]
        if v.kind == "rating" and v.minimum is not None and v.maximum is not None:
            yield [v.code, "", f"{v.minimum:g}..{v.maximum:g}", "no", *([""] * len(langs))]
        for c in v.choices:
            yield [v.code, "", c.code, "yes" if c.missing else "no", *(c.label.get(lang, "") for lang in langs)]


# -- CSV ------------------------------------------------------------------------------------------------


def _csv_text(rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if x is None else neutralise(x) for x in row])
    return buf.getvalue()


async def csv_chunks(table: Table, rows: AsyncIterator[ExportRow]) -> AsyncIterator[bytes]:
    """The CSV export as byte chunks (UTF-8 with a byte-order mark so that spreadsheets detect it)."""
    yield b"\xef\xbb\xbf" + _csv_text([table.columns]).encode()
    batch: list[list[Any]] = []
    async for row in rows:
        batch.append(table.values(row))
        if len(batch) >= CSV_CHUNK_ROWS:
            yield _csv_text(batch).encode()
            batch = []
    if batch:
        yield _csv_text(batch).encode()


def codebook_csv(q: Questionnaire, weighted: bool = False) -> bytes:
    return b"\xef\xbb\xbf" + _csv_text(codebook_rows(q, weighted)).encode()


# -- XLSX -----------------------------------------------------------------------------------------------


async def write_xlsx(table: Table, rows: AsyncIterator[ExportRow], path: Path) -> None:
    """Data and codebook sheets, written row by row (openpyxl write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    try:
        data = wb.create_sheet("data")
        data.append(table.columns)
        async for r in rows:
            data.append([neutralise(x) for x in table.values(r)])
        book = wb.create_sheet("codebook")
        for row in codebook_rows(table.questionnaire, table.weighted):
            book.append([neutralise(x) for x in row])
    except BaseException:
        # write-only sheets are buffered in temporary files until saved: a stopped export removes them
        for sheet in wb.worksheets:
            writer = getattr(sheet, "_writer", None)
            if writer is not None:
                writer.cleanup()
        raise
    wb.save(path)


# -- SPSS and Stata -------------------------------------------------------------------------------------


def _numeric_codes(v: VariableInfo) -> dict[str, int]:
    """Choice code -> number for .sav/.dta: integer codes keep their value, text codes count from 1."""
    if all(isinstance(c.code, int) for c in v.choices):
        return {str(c.code): int(c.code) for c in v.choices}
    return {str(c.code): i for i, c in enumerate(v.choices, start=1)}


def _stat_name(code: str, suffix: str = "") -> str:
    # Stata names have at most 32 characters
    return (code[: 32 - len(suffix)] + suffix) if suffix else code[:32]


async def write_labelled(
    table: Table, rows: AsyncIterator[ExportRow], path: Path, fmt: str, language: str | None = None
) -> None:
    """SPSS .sav or Stata .dta with variable labels (question texts) and value labels (choice labels).

    Coded answers become numbers (integer codes as they are, text codes 1..k in choice order, named in
    the value labels); multiple choice becomes one 0/1 variable per choice. Non-substantive codes are
    user-missing values in .sav. Integer questions are whole-number variables (SPSS format F.0, Stata
    integer storage types when complete). Labels longer than the format allows (Stata: 80 characters)
    are shortened at a word with an ellipsis.
    """
    import pandas as pd
    import pyreadstat

    q = table.questionnaire
    lang = language or table.labels or q.source_language
    src = q.source_language
    _ = translations(lang if lang in LANGUAGES else "en").gettext
    limit, value_limit, size = LABEL_LIMITS[fmt]
    columns: dict[str, list[Any]] = {name: [] for name in table.meta}
    var_labels: dict[str, str | None] = {name: fit(meta_label(name, lang), limit, size) for name in table.meta}
    value_labels: dict[str, dict[int | float, str]] = {}
    missing: dict[str, list[int | float]] = {}
    integers: set[str] = {"year"}
    plan: list[tuple[VariableInfo, str, Any]] = []  # (variable, column, choice code or code->number map)

    def choice_label(c: ChoiceInfo) -> str:
        return fit(c.label.get(lang) or c.label.get(src) or str(c.code), value_limit, size)

    for v in table.variables:
        text = v.short_label(lang, src, limit)
        if v.kind == "multiple":
            for i, c in enumerate(v.choices, start=1):
                name = _stat_name(v.code, f"_{i}")
                columns[name] = []
                # the choice is what tells the 0/1 variables apart: it is kept whole, the question shortened
                label = fit(c.label.get(lang) or c.label.get(src) or str(c.code), limit, size)
                room = limit - size(label) - 2
                var_labels[name] = f"{fit(text, room, size)}: {label}" if room >= 10 else label
                value_labels[name] = {0: _("not chosen"), 1: _("chosen")}
                integers.add(name)
                plan.append((v, name, c.code))
            continue
        name = _stat_name(v.code)
        columns[name] = []
        var_labels[name] = fit(text, limit, size)
        if v.integer:
            integers.add(name)
        if v.choices:
            numbers = (
                _numeric_codes(v)
                if v.coded
                else {str(c.code): int(c.code) for c in v.choices if isinstance(c.code, int)}
            )
            if v.coded:
                integers.add(name)
            value_labels[name] = {numbers[str(c.code)]: choice_label(c) for c in v.choices if str(c.code) in numbers}
            miss: list[int | float] = [numbers[str(c.code)] for c in v.choices if c.missing and str(c.code) in numbers]
            if miss:
                missing[name] = miss
            plan.append((v, name, numbers))
        else:
            plan.append((v, name, None))
    by_code = {v.code: v for v in table.variables}
    async for row in rows:
        r = row.response
        for name, value in zip(table.meta, (row.wave, row.year, r.language, r.mode, row.weight), strict=False):
            columns[name].append(value)
        for v, name, extra in plan:
            if v.kind == "derived" and v.source is not None:
                value = recode_value(v, r.answers.get(v.source), by_code[v.source])
            else:
                value = r.answers.get(v.code)
            if v.kind == "multiple":
                picked: list[str] = [str(x) for x in value] if isinstance(value, list) else []
                columns[name].append(float(str(extra) in picked) if picked else None)
            elif isinstance(extra, dict):
                columns[name].append(None if value is None else float(extra.get(str(value), value)))
            elif v.kind == "text":
                columns[name].append("" if value is None else str(value))
            else:
                columns[name].append(None if value is None else float(value))
    frame = pd.DataFrame(columns)
    text_columns = {"wave", "language", "mode"} | {name for v, name, _ in plan if v.kind == "text"}
    formats: dict[str, str] = {}
    for name in columns:
        if name in text_columns:
            continue
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        if name in integers:
            formats[name] = "F8.0" if fmt == "sav" else "%9.0g"
            if fmt == "dta" and not frame[name].isna().any():
                # complete whole numbers get an integer storage type; with missing values Stata keeps
                # them as doubles (shown without decimals) since its integer types have no system missing
                frame[name] = frame[name].astype("int32")
    if fmt == "sav":
        pyreadstat.write_sav(
            frame,
            str(path),
            column_labels=var_labels,
            variable_value_labels=value_labels,
            missing_ranges={k: list(v) for k, v in missing.items()},
            variable_format=formats,
        )
    else:
        pyreadstat.write_dta(
            frame,
            str(path),
            column_labels=var_labels,
            variable_value_labels=value_labels,
            variable_format=formats,
            version=15,
        )


# -- Parquet --------------------------------------------------------------------------------------------


async def write_parquet(table: Table, rows: AsyncIterator[ExportRow], path: Path, group_rows: int = 50_000) -> None:
    """Parquet in row groups: integer codes and integer questions as int64, other numbers and the weight
    as float64, everything else as text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "wave": pa.string(),
        "year": pa.int64(),
        "language": pa.string(),
        "mode": pa.string(),
        WEIGHT: pa.float64(),
    }
    fields = [pa.field(name, types[name]) for name in table.meta]
    for v in table.variables:
        labelled = table.labels is not None and bool(v.choices)
        if (
            table.labels is None
            and v.coded
            and v.kind != "multiple"
            and v.choices
            and all(isinstance(c.code, int) for c in v.choices)
        ) or (v.integer and not labelled):
            fields.append(pa.field(v.code, pa.int64()))
        elif v.kind == "number" and not labelled:
            fields.append(pa.field(v.code, pa.float64()))
        else:
            fields.append(pa.field(v.code, pa.string()))
    schema = pa.schema(fields)
    kinds = [f.type for f in fields]

    def cast(value: Any, kind: Any) -> Any:
        if value is None:
            return None
        if kind == pa.string():
            return str(value)
        if kind == pa.int64():
            return int(value)
        return float(value)

    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[list[Any]] = []

        def flush() -> None:
            cols = list(zip(*batch, strict=True))
            writer.write_table(
                pa.table(
                    [pa.array([cast(x, k) for x in col], type=k) for col, k in zip(cols, kinds, strict=True)],
                    schema=schema,
                )
            )

        async for row in rows:
            batch.append(table.values(row))
            if len(batch) >= group_rows:
                flush()
                batch = []
        if batch:
            flush()


# -- result tables (open data) ----------------------------------------------------------------------------


def result_table_rows(report: Report) -> Iterator[list[Any]]:
    """The report's estimates after disclosure control as one flat table, labelled in the report's
    language: withheld rows keep their labels and base but no numbers."""
    from survey_service.results.render import View

    view = View(report, report.language)
    yield [
        "survey", "item", "question", "statistic", "category", "category_label", "group_variable",
        "group_category", "group_label", "estimate", "se", "ci_low", "ci_high", "n", "suppressed",
    ]  # fmt: skip
    for e in report.estimates:
        yield [
            report.survey,
            e.item,
            view.text(e.item),
            e.statistic,
            e.category,
            None if e.category is None else view.choice_label(e.item, e.category),
            e.group_variable,
            e.group_category,
            None if e.group_variable is None else view.group_label(e.group_variable, e.group_category),
            e.estimate,
            e.se,
            e.ci_low,
            e.ci_high,
            e.n,
            e.suppressed,
        ]


PERCENT_COLUMNS = ("estimate", "se", "ci_low", "ci_high")


def _decimal_comma(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def excel_fi_rows(report: Report) -> Iterator[list[Any]]:
    """The result table for Finnish Excel: shares in percent and means rounded as the report shows them
    (one and two decimals), with a decimal comma; a ``unit`` column says which."""
    rows = result_table_rows(report)
    header = next(rows)
    at = {name: header.index(name) for name in (*PERCENT_COLUMNS, "statistic")}
    yield [*header, "unit"]
    for row in rows:
        share = row[at["statistic"]] in ("share", "indicator")
        out = list(row)
        for name in PERCENT_COLUMNS:
            x = row[at[name]]
            if isinstance(x, float):
                out[at[name]] = _decimal_comma(100 * x, 1) if share else _decimal_comma(x, 2)
        yield [*out, "%" if share else ""]


def result_table_csv(report: Report, excel_fi: bool = False) -> bytes:
    """The result table as CSV: plain (comma, full precision), or for Finnish Excel (``excel_fi``:
    semicolons, decimal commas, rounded as in the report)."""
    if not excel_fi:
        return b"\xef\xbb\xbf" + _csv_text(result_table_rows(report)).encode()
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for row in excel_fi_rows(report):
        writer.writerow(["" if x is None else neutralise(x) for x in row])
    return b"\xef\xbb\xbf" + buf.getvalue().encode()


def result_table_xlsx(report: Report, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("results")
    for row in result_table_rows(report):
        sheet.append([neutralise(x) for x in row])
    wb.save(path)
