"""XLSForm import and export: the shipped questionnaire survives a round trip in every language, pyxform
accepts the export, and bad workbooks are refused with the sheet, row and column named."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from survey_service.languages import endonym, ordered
from survey_service.questionnaire.loader import DefinitionError, load
from survey_service.questionnaire.schema import canonical_json
from survey_service.questionnaire.xlsform import from_xlsform, to_xlsform
from tests.helpers import ROOT, mini

DEFAULT = ROOT / "questionnaires" / "good-relations"


def test_default_questionnaire_round_trips_through_xlsform_unchanged() -> None:
    q = load(DEFAULT)
    assert set(q.languages) >= {"fi", "sv", "en", "ru"}
    back = from_xlsform(to_xlsform(q, "1"), "good-relations.xlsx")
    assert canonical_json(back) == canonical_json(q)


def test_test_questionnaire_with_every_question_type_round_trips() -> None:
    q = mini()
    assert canonical_json(from_xlsform(to_xlsform(q))) == canonical_json(q)


def test_reporting_group_order_and_outdated_marks_survive() -> None:
    q = mini()
    langs = dict(q.languages)
    langs["en"] = msgspec.structs.replace(langs["en"], outdated=["GETON.text", "TRUST.choice.99"], note="check")
    q = msgspec.structs.replace(q, reporting_groups=["LANG_GROUP", "AGE"], languages=langs)
    assert canonical_json(from_xlsform(to_xlsform(q))) == canonical_json(q)


def test_pyxform_converts_the_export_and_keeps_every_language(tmp_path: Path) -> None:
    q = load(DEFAULT)
    path = tmp_path / "good-relations.xlsx"
    path.write_bytes(to_xlsform(q, "7"))
    result = convert(xlsform=str(path), validate=False)
    xform = result.xform
    translations = re.findall(r'<translation lang="([^"]+)"', xform)
    assert translations == [f"{endonym(code)} ({code})" for code in ordered(q.languages)]
    assert len(translations) == len(q.languages) == 10
    for lang in q.languages:
        assert q.sections[0].questions[0].text[lang] in xform
        assert q.sections[-1].title[lang] in xform
    assert 'relevant=" /data/interaction/CONTACT_FREQ  != 1"' in xform  # skip logic became XPath
    assert "<h:title>Kysely hyvistä väestösuhteista</h:title>" in xform
    # Plain Finnish has no registered language subtag; ours is the BCP 47 private-use tag fi-x-selko, which
    # pyxform keeps (see the translations above) while warning that it is not a registered code.
    language_warnings = [w for w in result.warnings if "language" in w.lower()]
    assert all("Selkosuomi (fi-x-selko)" in w and w.count("(") == 1 for w in language_warnings), language_warnings


def _workbook(edit: Callable[[Workbook], None]) -> bytes:
    wb = load_workbook(io.BytesIO(to_xlsform(mini())))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_of(ws, name: str) -> int:  # type: ignore[no-untyped-def]
    names = [c.value for c in ws["B"]]
    return names.index(name) + 1


def _column_of(ws, header: str) -> int:  # type: ignore[no-untyped-def]
    return [c.value for c in ws[1]].index(header) + 1


def _problems(data: bytes) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        from_xlsform(data, "form.xlsx")
    return [str(p) for p in info.value.problems]


def test_unsupported_relevant_is_refused_naming_the_row() -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["survey"]
        row = _row_of(ws, "CONTACT_GOOD")
        ws.cell(row, _column_of(ws, "relevant")).value = "${CONTACT} != 'never' and today() > 3"
        ws.cell(row, _column_of(ws, "show_if")).value = None

    problems = _problems(_workbook(edit))
    assert len(problems) == 1
    assert problems[0].startswith(
        "form.xlsx: sheet survey, row 7: column relevant: unsupported expression part 'today'"
    )
    assert "supported: ${CODE} = value" in problems[0]


def test_edited_relevant_wins_over_a_stale_show_if() -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["survey"]
        ws.cell(_row_of(ws, "CONTACT_GOOD"), _column_of(ws, "relevant")).value = "${CONTACT} = 'often'"

    q = from_xlsform(_workbook(edit))
    assert q.sections[0].questions[3].show_if == "CONTACT == 'often'"


def _set(sheet: str, name: str, column: str | int, value: object) -> Callable[[Workbook], None]:
    """An edit: the cell of row ``name`` (column B) and ``column`` (header or number) gets ``value``."""

    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        row = _row_of(ws, name) if name else 1
        col = column if isinstance(column, int) else _column_of(ws, column)
        ws.cell(row, col).value = value

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _set("survey", "GETON", "type", "geopoint"),
            "sheet survey, row 4: column type: type 'geopoint' is not supported",
        ),
        (
            _set("survey", "GETON", "type", "select_one nolist"),
            "sheet survey, row 4: column type: choice list 'nolist' is not on the choices sheet",
        ),
        (_set("choices", "1", 2, "=1+1"), "sheet choices, row 2: column name: formulas are not supported"),
        (
            _set("survey", "GETON", "required", "maybe"),
            "sheet survey, row 4: column required: expected yes or no, not 'maybe'",
        ),
        (
            _set("survey", "HOUSEHOLD", "constraint", ". != 3"),
            "sheet survey, row 21: column constraint: only ranges are supported",
        ),
        (
            _set("survey", "", 3, "label::Klingon"),
            "sheet survey, row 1: column label::Klingon: 'Klingon' is not a language name this service knows",
        ),
        (
            _set("survey", "GETON", "label::Suomi (fi)", None),
            "sheet survey, row 4 (question GETON): column label::Suomi (fi): missing text in language 'fi'",
        ),
        (
            _set("survey", "GETON", "dimension", "mood"),
            "sheet survey, row 4 (question GETON): dimension: Invalid enum value 'mood'",
        ),
        (
            _set("survey", "DISC", "type", "begin_repeat"),
            "sheet survey, row 10: column type: type 'begin_repeat' is not supported: repeats are not",
        ),
    ],
)
def test_bad_cells_are_named_by_sheet_row_and_column(edit: Callable[[Workbook], None], expected: str) -> None:
    problems = _problems(_workbook(edit))
    assert any(p.startswith(f"form.xlsx: {expected}") for p in problems), problems


def test_not_a_workbook_is_refused_cleanly() -> None:
    assert _problems(b"PK\x03\x04 not really a zip") == ["form.xlsx: not a readable .xlsx workbook"]
    assert _problems(b"") == ["form.xlsx: not a readable .xlsx workbook"]


def test_workbook_without_survey_sheet_is_refused() -> None:
    wb = Workbook()
    out = io.BytesIO()
    wb.save(out)
    assert _problems(out.getvalue()) == ["form.xlsx: the workbook has no 'survey' sheet"]


def test_text_that_looks_like_a_formula_is_exported_as_text() -> None:
    q = mini()
    q = msgspec.structs.replace(q, title={**q.title, "en": '=HYPERLINK("http://x")'})
    wb = load_workbook(io.BytesIO(to_xlsform(q)))
    cells = [c for row in wb["languages"].iter_rows() for c in row if c.value and str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    assert from_xlsform(to_xlsform(q)).title["en"] == '=HYPERLINK("http://x")'


def test_third_party_form_with_metadata_and_plain_ranges_imports_as_draft() -> None:
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    for row in (
        ["type", "name", "label::English (en)", "relevant", "constraint", "dimension"],
        ["start", "start", None, None, None, None],
        ["begin_group", "main", "Main", None, None, None],
        ["select_one yn", "KNOWS", "Do you know?", None, None, "participation"],
        ["integer", "YEARS", "How many years?", "${KNOWS} = 'yes'", ". >= 0 and . <= 100", "background"],
        ["end_group", None, None, None, None, None],
    ):
        survey.append(row)
    choices = wb.create_sheet("choices")
    for row in (["list_name", "name", "label::English (en)"], ["yn", "yes", "Yes"], ["yn", "no", "No"]):
        choices.append(row)
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append(["Kobo form", "kobo-form", "English (en)"])
    out = io.BytesIO()
    wb.save(out)
    q = from_xlsform(out.getvalue(), complete=False)
    assert q.slug == "kobo-form" and q.source_language == "en" and q.languages["en"].status == "draft"
    years = q.sections[0].questions[1]
    assert years.show_if == "KNOWS == 'yes'" and (years.min, years.max) == (0, 100)  # type: ignore[union-attr]
