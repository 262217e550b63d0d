"""Opening uploaded XLSX workbooks with bounded cost: sizes and row widths are checked before openpyxl reads.

An XLSX file is a zip of XML parts. A small upload can declare gigabytes of XML, or one row of a million
cells; openpyxl reads a whole row before anyone can count its cells. ``open_workbook`` first checks the
sizes every part declares in the zip (zipfile refuses a part that inflates beyond its declared size) and
streams each XML part once through a parser that stops at the first row wider than the cap; only then
does openpyxl read the workbook.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import IO

from defusedxml.ElementTree import iterparse
from openpyxl import Workbook, load_workbook

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_CELLS_PER_ROW = 1000
MAX_PARTS = 1000
_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW = _SHEET_NS + "row"
_CELL = _SHEET_NS + "c"


class WorkbookRejected(ValueError):
    """The file is not a workbook this service reads; the message says why, in words for the uploader."""


def open_workbook(
    data: bytes | Path,
    *,
    data_only: bool = False,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
    max_cells_per_row: int = MAX_CELLS_PER_ROW,
) -> Workbook:
    """A read-only openpyxl workbook of ``data`` (the file's bytes or its path), checked first.

    Raises ``WorkbookRejected`` when the file is not a readable XLSX workbook, when its parts together
    declare more than ``max_uncompressed`` bytes, or when a row has more than ``max_cells_per_row`` cells.
    """
    source: IO[bytes] | Path = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        with zipfile.ZipFile(source) as archive:
            _check_sizes(archive, max_uncompressed)
            for info in archive.infolist():
                if info.filename.endswith(".xml"):
                    with archive.open(info) as part:
                        _check_rows(part, info.filename, max_cells_per_row)
    except WorkbookRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise WorkbookRejected("not a readable .xlsx workbook") from None
    if isinstance(source, io.BytesIO):
        source.seek(0)
    try:
        return load_workbook(source, read_only=True, data_only=data_only)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise WorkbookRejected("not a readable .xlsx workbook") from None


def _check_sizes(archive: zipfile.ZipFile, max_uncompressed: int) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise WorkbookRejected(f"the workbook has more than {MAX_PARTS} parts")
    declared = sum(info.file_size for info in infos)
    if declared > max_uncompressed:
        raise WorkbookRejected(
            f"the workbook unpacks to {declared} bytes; at most {max_uncompressed} are accepted (split the file)"
        )


def _check_rows(part: IO[bytes], name: str, max_cells: int) -> None:
    cells = 0
    row_number = 0
    try:
        for event, element in iterparse(part, events=("start", "end")):
            if event == "start":
                if element.tag == _ROW:
                    cells = 0
                    row_number += 1
                elif element.tag == _CELL:
                    cells += 1
                    if cells > max_cells:
                        where = element.get("r") or f"row {row_number}"
                        raise WorkbookRejected(f"a row has more than {max_cells} cells (at {where})")
            elif element.tag == _ROW:
                element.clear()
    except WorkbookRejected:
        raise
    except Exception:  # a broken or hostile XML part (DTDs and entities are refused)
        raise WorkbookRejected(f"not a readable .xlsx workbook ({name} is not valid XML)") from None
