"""Exports of a wave's responses: one row per response, codes or labels, with a codebook.

CSV streams in chunks (bounded memory for any number of responses); XLSX is written in openpyxl's
write-only mode; SPSS .sav and Stata .dta carry variable and value labels (pyreadstat); Parquet is
written in row groups (pyarrow). Text cells that a spreadsheet would run as a formula get a leading
apostrophe in CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

from survey_service.questionnaire.schema import Questionnaire
from survey_service.results.data import StoredResponse
from survey_service.results.schema import Report
from survey_service.results.variables import VariableInfo, recode_value, variables

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
META_COLUMNS = ("language", "mode")
CSV_CHUNK_ROWS = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate (=, +, -, @ first) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class Table:
    """Turns stored responses into export rows: one column per variable (derived ones included)."""

    def __init__(self, q: Questionnaire, labels: str | None = None) -> None:
        if labels is not None and labels not in q.languages:
            raise ValueError(f"labels language {labels!r} is not one of the questionnaire's ({', '.join(q.languages)})")
        self.questionnaire = q
        self.labels = labels
        self.variables = variables(q)
        self._by_code = {v.code: v for v in self.variables}
        self.columns = [*META_COLUMNS, *(v.code for v in self.variables)]

    def values(self, r: StoredResponse) -> list[Any]:
        """One response as a list of cells (None for no answer); multiple choice space-separated."""
        out: list[Any] = [r.language, r.mode]
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
        return value

    def _label(self, v: VariableInfo, code: Any) -> Any:
        if self.labels is None:
            return code
        return v.label(code, self.labels, self.questionnaire.source_language)


def codebook_rows(q: Questionnaire) -> Iterator[list[Any]]:
    """The codebook: a row per variable (its question text) and a row per value (its label), every language."""
    langs = list(q.languages)
    yield ["variable", "type", "value", "non_substantive", *(f"label:{lang}" for lang in langs)]
    for lang_col in META_COLUMNS:
        yield [lang_col, "meta", "", "", *([lang_col] * len(langs))]
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


async def csv_chunks(table: Table, rows: AsyncIterator[StoredResponse]) -> AsyncIterator[bytes]:
    """The CSV export as byte chunks (UTF-8 with a byte-order mark so that spreadsheets detect it)."""
    yield b"\xef\xbb\xbf" + _csv_text([table.columns]).encode()
    batch: list[list[Any]] = []
    async for r in rows:
        batch.append(table.values(r))
        if len(batch) >= CSV_CHUNK_ROWS:
            yield _csv_text(batch).encode()
            batch = []
    if batch:
        yield _csv_text(batch).encode()


def codebook_csv(q: Questionnaire) -> bytes:
    return b"\xef\xbb\xbf" + _csv_text(codebook_rows(q)).encode()


# -- XLSX -----------------------------------------------------------------------------------------------


async def write_xlsx(table: Table, rows: AsyncIterator[StoredResponse], path: Path) -> None:
    """Data and codebook sheets, written row by row (openpyxl write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    try:
        data = wb.create_sheet("data")
        data.append(table.columns)
        async for r in rows:
            data.append([neutralise(x) for x in table.values(r)])
        book = wb.create_sheet("codebook")
        for row in codebook_rows(table.questionnaire):
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
    table: Table, rows: AsyncIterator[StoredResponse], path: Path, fmt: str, language: str | None = None
) -> None:
    """SPSS .sav or Stata .dta with variable labels (question texts) and value labels (choice labels).

    Coded answers become numbers (integer codes as they are, text codes 1..k in choice order, named in
    the value labels); multiple choice becomes one 0/1 variable per choice. Non-substantive codes are
    user-missing values in .sav.
    """
    import pandas as pd
    import pyreadstat

    q = table.questionnaire
    lang = language or table.labels or q.source_language
    src = q.source_language
    limit = 80 if fmt == "dta" else 255
    columns: dict[str, list[Any]] = {"language": [], "mode": []}
    var_labels: dict[str, str | None] = {"language": "Response language", "mode": "Mode of data collection"}
    value_labels: dict[str, dict[int | float, str]] = {}
    missing: dict[str, list[int | float]] = {}
    plan: list[tuple[VariableInfo, str, Any]] = []  # (variable, column, choice code or code->number map)
    for v in table.variables:
        text = v.short_label(lang, src, limit)
        if v.kind == "multiple":
            for i, c in enumerate(v.choices, start=1):
                name = _stat_name(v.code, f"_{i}")
                columns[name] = []
                label = c.label.get(lang) or c.label.get(src) or str(c.code)
                var_labels[name] = f"{text[: limit - len(label) - 2]}: {label}"
                value_labels[name] = {0: "not chosen", 1: "chosen"}
                plan.append((v, name, c.code))
            continue
        name = _stat_name(v.code)
        columns[name] = []
        var_labels[name] = text
        if v.choices:
            numbers = (
                _numeric_codes(v)
                if v.coded
                else {str(c.code): int(c.code) for c in v.choices if isinstance(c.code, int)}
            )
            value_labels[name] = {
                numbers[str(c.code)]: c.label.get(lang) or c.label.get(src) or str(c.code)
                for c in v.choices
                if str(c.code) in numbers
            }
            miss: list[int | float] = [numbers[str(c.code)] for c in v.choices if c.missing and str(c.code) in numbers]
            if miss:
                missing[name] = miss
            plan.append((v, name, numbers))
        else:
            plan.append((v, name, None))
    by_code = {v.code: v for v in table.variables}
    async for r in rows:
        columns["language"].append(r.language)
        columns["mode"].append(r.mode)
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
    text_columns = {"language", "mode"} | {name for v, name, _ in plan if v.kind == "text"}
    for name in columns:
        if name not in text_columns:
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    if fmt == "sav":
        pyreadstat.write_sav(
            frame,
            str(path),
            column_labels=var_labels,
            variable_value_labels=value_labels,
            missing_ranges={k: list(v) for k, v in missing.items()},
        )
    else:
        pyreadstat.write_dta(frame, str(path), column_labels=var_labels, variable_value_labels=value_labels, version=15)


# -- Parquet --------------------------------------------------------------------------------------------


async def write_parquet(
    table: Table, rows: AsyncIterator[StoredResponse], path: Path, group_rows: int = 50_000
) -> None:
    """Parquet in row groups: integer codes as int64, numbers as float64, everything else as text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [pa.field("language", pa.string()), pa.field("mode", pa.string())]
    for v in table.variables:
        if (
            table.labels is None
            and v.coded
            and v.kind != "multiple"
            and v.choices
            and all(isinstance(c.code, int) for c in v.choices)
        ) or (v.kind in ("rating", "year") and not (table.labels and v.choices)):
            fields.append(pa.field(v.code, pa.int64()))
        elif v.kind == "number":
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

        async for r in rows:
            batch.append(table.values(r))
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


def result_table_csv(report: Report) -> bytes:
    return b"\xef\xbb\xbf" + _csv_text(result_table_rows(report)).encode()


def result_table_xlsx(report: Report, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("results")
    for row in result_table_rows(report):
        sheet.append([neutralise(x) for x in row])
    wb.save(path)
