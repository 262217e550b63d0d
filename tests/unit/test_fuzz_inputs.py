"""Random and malformed files at every door that reads them: questionnaire YAML, XLSForm workbooks and
CSV/XLSX response imports. Each either loads or fails with its own located error — never another
exception (wrong types, huge cells, spreadsheet formulas, empty sheets, NUL bytes, mixed encodings,
byte-order marks, duplicate headers)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from survey_service.questionnaire.answers import CompiledQuestionnaire
from survey_service.questionnaire.loader import DefinitionError, load
from survey_service.questionnaire.xlsform import from_xlsform, to_xlsform
from survey_service.results.imports import ImportRejected, check_rows, read_table
from tests.helpers import mini

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MINI = mini()
COMPILED = CompiledQuestionnaire(MINI)

nasty_text = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["=SUM(A1:A9)", "+1", "-1", "@cmd", '=HYPERLINK("http://x")', "\ufeffGETON", "ä\u00e4", "  "]),
    st.text(alphabet="0123456789 .,-", max_size=12),
    st.just("x" * 30_000),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=True), nasty_text)
structures = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(nasty_text, children, max_size=4)),
    max_leaves=20,
)


def _load_text(text: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "questionnaire.yaml").write_bytes(text)
        try:
            load(tmp)
        except DefinitionError as exc:
            assert exc.problems and all(str(p) for p in exc.problems)


@FUZZ
@given(st.binary(max_size=2000))
def test_yaml_loader_survives_random_bytes(data: bytes) -> None:
    _load_text(data)


@FUZZ
@given(structures)
def test_yaml_loader_survives_random_structures(value: object) -> None:
    _load_text(yaml.safe_dump(value, allow_unicode=True).encode())


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["slug", "title", "languages", "sections", "source_language", "derived"]),
        structures,
        max_size=6,
    )
)
def test_yaml_loader_survives_questionnaire_shaped_nonsense(value: dict[str, object]) -> None:
    _load_text(yaml.safe_dump(value, allow_unicode=True).encode())


def _xlsx(rows_by_sheet: dict[str, list[list[object]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in rows_by_sheet.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


xl_cell = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    # openpyxl refuses control characters in cells, so XLSX files cannot carry them
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    st.sampled_from(["=1+1", "select_one yes_no", "begin_group", "end_group", "integer", "text", "${GETON} = 1"]),
)
headers = st.lists(
    st.sampled_from(
        [
            "type",
            "name",
            "label",
            "label::Suomi (fi)",
            "label::English (en)",
            "hint",
            "required",
            "relevant",
            "constraint",
            "list_name",
            "dimension",
            "indicator",
            "missing",
            "name",
        ]
    ),
    max_size=8,
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["survey", "choices", "settings", "languages", "derived", "other"]),
        st.tuples(headers, st.lists(st.lists(xl_cell, max_size=8), max_size=8)).map(lambda t: [list(t[0]), *t[1]]),
        max_size=5,
    )
)
def test_xlsform_import_survives_random_workbooks(sheets: dict[str, list[list[object]]]) -> None:
    data = _xlsx(sheets) if sheets else _xlsx({"empty": []})
    try:
        from_xlsform(data)
    except DefinitionError as exc:
        assert exc.problems


@FUZZ
@given(st.binary(max_size=3000))
def test_xlsform_import_survives_random_bytes(data: bytes) -> None:
    try:
        from_xlsform(data)
    except DefinitionError as exc:
        assert exc.problems


@FUZZ
@given(st.integers(0, 3), st.sampled_from(["=cmd|' /C calc'!A0", "\x00", "x" * 5000]))
def test_xlsform_import_of_a_damaged_export_names_the_problem(column: int, value: str) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(to_xlsform(MINI)))
    ws = wb["survey"]
    ws.cell(row=3, column=column + 1).value = value.replace("\x00", "")
    out = io.BytesIO()
    wb.save(out)
    try:
        from_xlsform(out.getvalue())
    except DefinitionError as exc:
        assert exc.problems and all(p.location or p.field for p in exc.problems)


def _import(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"responses{suffix}"
        path.write_bytes(data)
        try:
            rows = check_rows(COMPILED, list(MINI.languages), "fi", read_table(path))
        except ImportRejected as exc:
            assert exc.detail
            assert all(e.item.startswith("row ") or e.item == "file" for e in exc.errors), exc.errors
            return
        assert rows and all(COMPILED.check(r.answers).ok for r in rows)


csv_cell = st.one_of(nasty_text, st.sampled_from(["1", "2", "9", "yes", "origin language", "\x00", "fi", "ar"]))
csv_header = st.lists(
    st.sampled_from(["GETON", "TRUST", "CONTACT", "language", "GROUNDS", "NOPE", "", "GETON"]), min_size=0, max_size=5
)


@FUZZ
@given(
    csv_header,
    st.lists(st.lists(csv_cell, max_size=6), max_size=6),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]),
)
def test_csv_import_survives_malformed_files(header: list[str], rows: list[list[str]], encoding: str) -> None:
    text = "\n".join(",".join(f'"{c}"' for c in row) for row in [header, *rows])
    _import(text.encode(encoding, errors="replace"), ".csv")


@FUZZ
@given(st.binary(max_size=3000))
def test_csv_and_xlsx_import_survive_random_bytes(data: bytes) -> None:
    _import(data, ".csv")
    _import(data, ".xlsx")


@FUZZ
@given(csv_header, st.lists(st.lists(xl_cell, max_size=6), max_size=6))
def test_xlsx_import_survives_malformed_sheets(header: list[str], rows: list[list[object]]) -> None:
    _import(_xlsx({"responses": [list(header), *rows]}), ".xlsx")
