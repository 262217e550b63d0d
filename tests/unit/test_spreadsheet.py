"""Uploaded workbooks are checked before openpyxl reads them: a small file cannot hold a row of a million
cells or unpack to gigabytes, in any of the three imports that read XLSX."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from survey_service.questionnaire.loader import DefinitionError
from survey_service.questionnaire.translations import TranslationFileError, read_translator_file
from survey_service.questionnaire.xlsform import from_xlsform
from survey_service.results.imports import ImportRejected, read_table
from survey_service.spreadsheet import WorkbookRejected, open_workbook


def _workbook_with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced by ``sheet_xml``."""
    wb = Workbook()
    wb.active.title = "survey"
    wb.active.append(["key", "source (fi)", "translation (sv)"])
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    return out.getvalue()


def _one_row(cells: int) -> bytes:
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1">' + b"<c/>" * cells + b"</row></sheetData></worksheet>"
    )


WIDE = _workbook_with_sheet(_one_row(1_000_000))


def test_a_million_cells_in_one_row_fit_in_a_small_file() -> None:
    assert len(WIDE) < 60_000


def test_a_row_wider_than_the_cap_is_refused_before_openpyxl_reads_it() -> None:
    start = time.perf_counter()
    with pytest.raises(WorkbookRejected, match="a row has more than 1000 cells"):
        open_workbook(WIDE)
    assert time.perf_counter() - start < 2  # reading the row would take openpyxl about 20 s


def test_declared_uncompressed_size_over_the_cap_is_refused() -> None:
    padded = _workbook_with_sheet(_one_row(3) + b" " * 2_000_000)
    with pytest.raises(WorkbookRejected, match="unpacks to"):
        open_workbook(padded, max_uncompressed=1_000_000)
    open_workbook(padded, max_uncompressed=3_000_000).close()


def test_a_part_inflating_beyond_its_declared_size_is_refused() -> None:
    data = bytearray(_workbook_with_sheet(_one_row(3) + b" " * 100_000))
    # lower the size the central directory declares for the sheet: zipfile stops there and the CRC fails
    name = b"xl/worksheets/sheet1.xml"
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")
    with pytest.raises(WorkbookRejected, match="not a readable"):
        open_workbook(bytes(data))


def test_the_questionnaire_import_refuses_a_row_of_a_million_cells() -> None:
    with pytest.raises(DefinitionError, match="a row has more than 16384 cells"):
        from_xlsform(WIDE, "wide.xlsx")


def test_the_translator_import_refuses_a_row_of_a_million_cells() -> None:
    with pytest.raises(TranslationFileError) as exc:
        read_translator_file(WIDE, "sv")
    assert "a row has more than 20 cells" in str(exc.value.problems)


def test_the_response_import_refuses_a_row_of_a_million_cells(tmp_path: Path) -> None:
    path = tmp_path / "responses.xlsx"
    path.write_bytes(WIDE)
    with pytest.raises(ImportRejected, match="a row has more than 2000 cells"):
        list(read_table(path))
