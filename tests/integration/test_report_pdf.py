"""The PDF report is printed from the same HTML (WeasyPrint) and carries the report's text."""

from __future__ import annotations

import io

import msgspec
from pypdf import PdfReader

from survey_service.results.render import render_pdf
from survey_service.results.schema import Report
from tests.helpers import ROOT


def test_pdf_holds_the_report_text_and_numbers() -> None:
    report = msgspec.json.decode((ROOT / "tests/data/reports/synthetic-wave2.fi.json").read_bytes(), type=Report)
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Synteettinen väestösuhdekysely 2024",
        "Pääindikaattorit",
        "71,8",
        "Menetelmät",
        "Synteettinen esittelyaineisto",
    ):
        assert expected in text, expected
