"""Reading responses collected with other tools (CSV or XLSX) and checking every row like a web answer.

Columns are question (variable) codes plus an optional ``language`` column; values are choice codes,
multiple choice space-separated as XLSForm tools write them; an empty cell is item non-response. Every
row goes through the same ``parse_text`` + ``check`` as an answer given on the web. The file is either
wholly valid or rejected with a row/column/message list.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey_service.errors import ItemError
from survey_service.questionnaire.answers import CompiledQuestionnaire
from survey_service.spreadsheet import WorkbookRejected, open_workbook

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 500_000
MAX_COLUMNS = 2000
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_CELL_CHARS = 20_000
MAX_LISTED_ERRORS = 200
LANGUAGE_COLUMN = "language"


class ImportRejected(Exception):
    """The file cannot be imported; ``errors`` locates every problem (``item`` = "row R, column C")."""

    def __init__(self, detail: str, errors: list[ItemError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


@dataclass(frozen=True, slots=True)
class ImportRow:
    language: str
    answers: dict[str, Any]


def read_table(path: Path) -> Iterator[list[str]]:
    """Rows of a CSV or XLSX file as lists of text cells (the header first)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportRejected(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _xlsx_rows(path)
    return _csv_rows(path.read_bytes())


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(f"the file is not UTF-8 text (line {line}): save it as 'CSV UTF-8' or as XLSX") from None


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    # spreadsheet programs with a Finnish locale write semicolons
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportRejected(f"the CSV file cannot be read (line {reader.line_num}): {exc}") from None


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    try:
        wb = open_workbook(path, data_only=True, max_uncompressed=MAX_UNCOMPRESSED_BYTES, max_cells_per_row=MAX_COLUMNS)
    except WorkbookRejected as exc:
        raise ImportRejected(f"the XLSX file cannot be read: {exc}") from None
    try:
        sheet = wb.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in row]
    finally:
        wb.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_rows(
    compiled: CompiledQuestionnaire, languages: list[str], default_language: str, rows: Iterator[list[str]]
) -> list[ImportRow]:
    """Every data row parsed and checked; raises ``ImportRejected`` listing all problems (none stored)."""
    header = next(rows, None)
    if header is None or not any(h.strip() for h in header):
        raise ImportRejected("the file is empty: the first row must name the columns (question codes)")
    columns = [h.strip() for h in header]
    while columns and not columns[-1]:
        columns.pop()
    _check_header(compiled, columns)
    errors: list[ItemError] = []
    out: list[ImportRow] = []
    n_errors = 0
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines at the end of a spreadsheet
        if len(out) + n_errors >= MAX_ROWS:
            raise ImportRejected(f"the file has more than {MAX_ROWS} rows; split it into several imports")
        problems, row = _check_row(compiled, languages, default_language, columns, cells)
        if problems:
            n_errors += 1
            errors.extend(ItemError(f"row {number}, column {col}", msg) for col, msg in problems)
        elif row is not None:
            out.append(row)
    if errors:
        shown = errors[:MAX_LISTED_ERRORS]
        more = f" (the first {MAX_LISTED_ERRORS} problems are listed)" if len(errors) > len(shown) else ""
        raise ImportRejected(
            f"{n_errors} row(s) are not valid; nothing was imported{more}",
            shown,
        )
    if not out:
        raise ImportRejected("the file has no data rows")
    return out


def _check_header(compiled: CompiledQuestionnaire, columns: list[str]) -> None:
    errors = []
    seen: set[str] = set()
    for i, name in enumerate(columns, start=1):
        where = f"row 1, column {i}"
        if not name:
            errors.append(ItemError(where, "empty column name"))
        elif name in seen:
            errors.append(ItemError(where, f"column {name!r} appears twice"))
        elif name != LANGUAGE_COLUMN and name not in compiled.variables:
            errors.append(ItemError(where, f"{name!r} is not a question code of this questionnaire"))
        seen.add(name)
    if errors:
        raise ImportRejected("the header row is not valid; nothing was imported", errors)


def _check_row(
    compiled: CompiledQuestionnaire,
    languages: list[str],
    default_language: str,
    columns: list[str],
    cells: list[str],
) -> tuple[list[tuple[str, str]], ImportRow | None]:
    problems: list[tuple[str, str]] = []
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        problems.append((str(len(columns) + 1), "value in a column without a name"))
    raw: dict[str, str] = {}
    language = default_language
    for name, cell in zip(columns, cells, strict=False):
        if len(cell) > MAX_CELL_CHARS:
            problems.append((name, f"cell is longer than {MAX_CELL_CHARS} characters"))
            continue
        if name == LANGUAGE_COLUMN:
            if cell.strip():
                language = cell.strip()
                if language not in languages:
                    problems.append(
                        (name, f"{language!r} is not a language of this questionnaire ({', '.join(languages)})")
                    )
            continue
        raw[name] = cell
    parsed = compiled.parse_text(raw)
    problems.extend((e.item, e.message) for e in parsed.errors)
    failed = {e.item for e in parsed.errors}
    checked = compiled.check(parsed.answers, require=True)
    problems.extend((e.item, e.message) for e in checked.errors if e.item not in failed)
    if problems:
        return problems, None
    return [], ImportRow(language, checked.answers)
