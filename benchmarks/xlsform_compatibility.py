"""How many XLSForms of a folder the import reads: imported, refused only for features outside the service's
scope, or refused for anything else (each problem printed), next to whether pyxform converts the form.

    python benchmarks/xlsform_compatibility.py FOLDER [--verbose]

FOLDER holds forms as pyxform's test suite keeps them (tests/example_xls of XLSForm/pyxform): .xlsx, .xls,
.csv or .md, one form per file name (the first of xlsx, xls, csv, md is read). Forms in other formats than
.xlsx are rewritten as .xlsx first, cell for cell, as a staff member would save them from a spreadsheet
program. Plain ``label`` columns are read as English, as staff would choose on the import page.
"""

from __future__ import annotations

import io
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from survey_service.questionnaire.loader import DefinitionError
from survey_service.questionnaire.xlsform import read_xlsform

FORMATS = (".xlsx", ".xls", ".csv", ".md")
# Problems that name a feature the service does not have (and what to do instead).
OUT_OF_SCOPE = (
    "is not supported",
    "are not supported",
    "are not;",
    "only ranges are supported",
    "; supported:",  # skip logic beyond the comparisons our show_if has
    "is supported only to test",
)


def sheets_of(path: Path) -> dict[str, list[list[Any]]]:
    """The sheets of a form as rows of cell values, whatever its format."""
    if path.suffix == ".xlsx":
        wb = load_workbook(path, read_only=True, data_only=True)
        return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    if path.suffix == ".xls":
        import xlrd  # a pyxform dependency: reading the old binary format is not the service's job

        book = xlrd.open_workbook(str(path))
        return {s.name: [s.row_values(i) for i in range(s.nrows)] for s in book.sheets()}
    from pyxform.xls2json_backends import csv_to_dict, md_to_dict

    data = csv_to_dict(str(path)) if path.suffix == ".csv" else md_to_dict(str(path))
    out: dict[str, list[list[Any]]] = {}
    for name in data.get("sheet_names", []):
        rows = data.get(name.lower()) or []
        headers = list(dict.fromkeys(k for row in rows for k in row))
        out[name] = [headers, *[[row.get(h) for h in headers] for row in rows]]
    return out


def as_xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name[:31])
        for row in rows:
            ws.append(["" if v is None else v for v in row])
        for cells in ws.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # text such as "=x" in a .xls or .csv stays text
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pyxform_converts(path: Path) -> bool:
    from pyxform.xls2xform import convert

    try:
        convert(xlsform=str(path), validate=False)
    except Exception:  # any failure of pyxform counts as "pyxform refuses it"
        return False
    return True


def main(folder: Path, verbose: bool) -> None:
    forms: dict[str, Path] = {}
    for suffix in FORMATS:
        for path in sorted(folder.glob(f"*{suffix}")):
            forms.setdefault(path.stem, path)
    outcome: Counter[tuple[str, bool]] = Counter()
    features: Counter[str] = Counter()
    for stem, path in sorted(forms.items()):
        try:
            sheets = sheets_of(path)
        except Exception as exc:  # a file that is no form at all is reported and skipped
            print(f"{stem}: not a form ({type(exc).__name__})")
            continue
        if not any(name.lower() == "survey" for name in sheets):
            print(f"{stem}: no survey sheet (not a form)")
            continue
        converts = pyxform_converts(path)
        data = path.read_bytes() if path.suffix == ".xlsx" else as_xlsx(sheets)
        try:
            q, _ = read_xlsform(data, f"{stem}.xlsx", complete=False, unnamed_language="en")
            result, detail = "imported", f"{len(q.questions())} questions"
        except DefinitionError as exc:
            messages = [str(p) for p in exc.problems]
            other = [m for m in messages if not any(key in m for key in OUT_OF_SCOPE)]
            result = "refused, other reasons" if other else "refused, out of scope only"
            for m in messages:
                if any(key in m for key in OUT_OF_SCOPE):
                    features[m.split(": ", 3)[-1].split(":")[0].split(";")[0][:60]] += 1
            detail = "; ".join(other if other else messages[:3]) if verbose or other else f"{len(messages)} problems"
        outcome[(result, converts)] += 1
        print(f"{stem} ({path.suffix}, pyxform {'converts' if converts else 'refuses'}): {result}: {detail}")
    print()
    total = sum(outcome.values())
    print(f"forms: {total}")
    for result in ("imported", "refused, out of scope only", "refused, other reasons"):
        yes, no = outcome[(result, True)], outcome[(result, False)]
        print(f"{result}: {yes + no} ({yes} of them converted by pyxform, {no} refused by pyxform too)")
    print("\nout-of-scope problems by kind:")
    for feature, n in features.most_common():
        print(f"  {n:3d}  {feature}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    main(Path(args[0]), "--verbose" in sys.argv)
