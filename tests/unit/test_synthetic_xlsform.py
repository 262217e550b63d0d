"""The synthetic survey's XLSForm (for the XLSForm importer) and its YAML fallback agree: the same
variables, choice codes, non-substantive codes, indicators, scale and reporting groups."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from survey_service.results.variables import variables
from tests.helpers import synthetic
from tests.xlsform_synthetic import build


def test_xlsform_and_yaml_describe_the_same_variables(tmp_path: Path) -> None:
    wb = load_workbook(build(tmp_path / "synthetic.xlsx"))
    rows = list(wb["survey"].iter_rows(min_row=2, values_only=True))
    questions = {r[1]: r for r in rows if r[0] and not str(r[0]).endswith("_group")}
    lists: dict[str, list[tuple[str, bool]]] = {}
    for list_name, name, _fi, _en, missing in wb["choices"].iter_rows(min_row=2, values_only=True):
        lists.setdefault(str(list_name), []).append((str(name), missing == "yes"))
    q = synthetic()
    infos = {v.code: v for v in variables(q)}
    assert set(questions) == set(infos)
    for code, (kind, _name, _fi, _en, _dimension, indicator, scale, report_by) in questions.items():
        v = infos[code]
        if str(kind).startswith("select_one"):
            choices = lists[str(kind).split()[1]]
            assert choices == [(str(c.code), c.missing) for c in v.choices], code
        assert (indicator or None) == (
            f"share:{' '.join(str(c) for c in v.indicator.favourable)}" if v.indicator else None
        )
        assert (scale or None) == v.scale
        assert (report_by == "yes") == (code in q.reporting_groups)
