"""Exports for re-analysis: Stata and SPSS files of the shipped questionnaire within their label limits,
integer questions kept whole in every format, the wave, its year and the final weight in every row, and
the pooled export of a plan whose weights reproduce the report's estimates."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import numpy as np
import pyarrow.parquet as pq
import pyreadstat
import pytest
from openpyxl import load_workbook

from survey_service.db.engine import Database
from survey_service.domain.exports.services import export_plan_to, export_to
from survey_service.domain.imports.services import import_responses
from survey_service.domain.plans.services import create_demo
from survey_service.domain.reports.services import make_report, report_input
from survey_service.questionnaire.loader import load
from survey_service.results import demo
from survey_service.results.exports import fit
from survey_service.results.variables import variables
from tests.helpers import ORACLE, ROOT, api_token, open_survey, published, staff_user, synthetic_wave

SHIPPED = ROOT / "questionnaires" / "good-relations"


async def _demo(db: Database) -> list[str]:
    q = load(SHIPPED)
    await published(db, q)
    async with db.write() as session:
        _plan, waves, _created = await create_demo(session)
        return [w.slug for w in waves]


def test_long_labels_are_cut_at_a_word_within_the_limit() -> None:
    text = "Kuinka usein olet viimeisen vuoden aikana kokenut syrjintää tai häirintää " * 3
    for limit in (10, 80, 120):
        for size in (len, lambda s: len(s.encode())):
            cut = fit(text, limit, size)
            assert size(cut) <= limit and cut.endswith("…")
            assert text.startswith(cut[:-1])
    assert fit("short", 80) == "short"


async def test_stata_and_spss_files_of_the_shipped_questionnaire_carry_every_label_within_the_limits(
    db: Database, tmp_path: Path
) -> None:
    q = load(SHIPPED)
    longest, long_lang, long_text = max(
        (len(text), lang, text) for v in variables(q) for c in v.choices for lang, text in c.label.items()
    )
    assert longest > 78  # the questionnaire has a choice label longer than a Stata variable label
    slugs = await _demo(db)
    for lang in dict.fromkeys([q.source_language, long_lang, "ar"]):
        out = tmp_path / f"gr-{lang}.dta"
        n = await export_to(db, slugs[0], "dta", out, labels=lang)
        data, meta = pyreadstat.read_dta(str(out))
        assert len(data) == n == demo.RESPONSES[0]
        assert all(len(label) <= 80 for label in meta.column_labels if label)
        assert meta.column_names[:5] == ["wave", "year", "language", "mode", "weight"]
        if lang == long_lang:  # the long choice names its 0/1 variable, shortened at a word
            label = next(x for x in meta.column_labels if x and long_text[:20] in x)
            choice = label[label.index(long_text[:20]) :]
            assert choice.endswith("…") and long_text.startswith(choice[:-1])
    sav = tmp_path / "gr.sav"
    await export_to(db, slugs[0], "sav", sav, labels=long_lang)
    _, meta = pyreadstat.read_sav(str(sav))
    assert all(len(x.encode()) <= 120 for labels in meta.variable_value_labels.values() for x in labels.values())
    assert all(len(x.encode()) <= 256 for x in meta.column_labels if x)


async def test_stata_download_of_the_shipped_questionnaire_over_http(
    client: httpx.AsyncClient, db: Database, tmp_path: Path
) -> None:
    slugs = await _demo(db)
    await staff_user(db, "anna", "analyst")
    client.headers["Authorization"] = f"Bearer {await api_token(db, 'anna')}"
    for path in (f"/api/v1/surveys/{slugs[-1]}/export", f"/api/v1/plans/{demo.PLAN_SLUG}/export"):
        response = await client.get(path, params={"format": "dta", "labels": "en"})
        assert response.status_code == 200, response.text
        out = tmp_path / "download.dta"
        out.write_bytes(response.content)
        data, meta = pyreadstat.read_dta(str(out))
        assert len(data) in (demo.RESPONSES[-1], sum(demo.RESPONSES))
        assert dict(zip(meta.column_names, meta.column_labels, strict=True))["weight"].startswith("Final weight")
    codebook = await client.get(f"/api/v1/surveys/{slugs[-1]}/export/codebook.csv")
    assert "\r\nweight,meta,," in codebook.text
    refused = await client.get(f"/api/v1/plans/{demo.PLAN_SLUG}/export", params={"format": "ddi"})
    assert refused.status_code == 400


async def test_integer_questions_stay_integers_in_every_format(db: Database, tmp_path: Path) -> None:
    await open_survey(db)
    path = tmp_path / "mini.csv"
    path.write_text("GETON,HOUSEHOLD,MOVED\n1,3,1990\n2,,\n3,12.0,2001\n")
    async with db.write() as session:
        await import_responses(session, "mini-2026", path)
    out = tmp_path / "mini.parquet"
    await export_to(db, "mini-2026", "parquet", out)
    table = pq.read_table(out)
    assert str(table.schema.field("HOUSEHOLD").type) == "int64"
    assert str(table.schema.field("year").type) == "int64"
    assert str(table.schema.field("MOVED").type) == "int64"
    assert sorted(table.column("HOUSEHOLD").to_pylist(), key=lambda x: (x is None, x or 0)) == [3, 12, None]
    await export_to(db, "mini-2026", "csv", out.with_suffix(".csv"))
    rows = list(csv.DictReader(io.StringIO(out.with_suffix(".csv").read_text("utf-8-sig"))))
    assert sorted(r["HOUSEHOLD"] for r in rows) == ["", "12", "3"]
    assert {r["wave"] for r in rows} == {"mini-2026"} and {r["year"] for r in rows} == {"2026"}
    await export_to(db, "mini-2026", "xlsx", out.with_suffix(".xlsx"))
    sheet = load_workbook(out.with_suffix(".xlsx"), read_only=True)["data"]
    header, *values = list(sheet.iter_rows(values_only=True))
    at = header.index("HOUSEHOLD")
    sizes = [row[at] if len(row) > at else None for row in values]  # read-only rows end at the last value
    assert sorted(a for a in sizes if a is not None) == [3, 12] and all(isinstance(a, int) for a in sizes if a)
    sav = out.with_suffix(".sav")
    await export_to(db, "mini-2026", "sav", sav)
    _, meta = pyreadstat.read_sav(str(sav))
    assert meta.original_variable_types["HOUSEHOLD"] == "F8.0"
    dta = out.with_suffix(".dta")
    await export_to(db, "mini-2026", "dta", dta)
    data, meta = pyreadstat.read_dta(str(dta))
    assert meta.original_variable_types["HOUSEHOLD"] == "%9.0g"
    assert meta.readstat_variable_types["GETON"] in ("int8", "int16", "int32")  # complete: an integer type
    assert sorted(x for x in data["HOUSEHOLD"] if x == x) == [3, 12]


async def test_every_export_carries_wave_year_and_a_codebook_entry_for_them(db: Database, tmp_path: Path) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    path = tmp_path / "in.csv"
    path.write_text("age,gender,lang,area,BEL\n30_44,female,domestic,centre,1\n")
    async with db.write() as session:
        await import_responses(session, "syn-1", path)
    out = tmp_path / "syn.xlsx"
    await export_to(db, "syn-1", "xlsx", out, labels="fi")
    wb = load_workbook(out, read_only=True)
    header, row = list(wb["data"].iter_rows(values_only=True))
    assert header[:4] == ("wave", "year", "language", "mode") and "weight" not in header  # no margins
    assert row[:2] == ("syn-1", 2023)
    head, *entries = list(wb["codebook"].iter_rows(values_only=True))
    book = {r[0]: dict(zip(head, r, strict=True)) for r in entries if r[1] == "meta"}
    assert (book["wave"]["label:fi"], book["wave"]["label:en"]) == ("Kyselykierros", "Survey wave")
    assert book["year"]["label:en"] == "Year of the survey wave"


async def test_pooled_export_has_every_response_of_every_wave_and_weights_that_reproduce_the_reports(
    db: Database, tmp_path: Path
) -> None:
    slugs = await _demo(db)
    out = tmp_path / "pooled.parquet"
    n = await export_plan_to(db, demo.PLAN_SLUG, "parquet", out)
    table = pq.read_table(out).to_pydict()
    assert n == len(table["wave"]) == sum(demo.RESPONSES)
    counts = {s: table["wave"].count(s) for s in slugs}
    assert counts == dict(zip(slugs, demo.RESPONSES, strict=True))
    assert {(w, y) for w, y in zip(table["wave"], table["year"], strict=True)} == set(
        zip(slugs, demo.YEARS, strict=True)
    )
    total = sum(demo.MARGINS["GENDER"].values())
    weights = np.asarray(table["weight"], dtype=float)
    waves = np.asarray(table["wave"], dtype=object)
    for slug in (slugs[0], slugs[-1]):
        assert weights[waves == slug].sum() == pytest.approx(total)
        async with db.read() as session:
            report = make_report(await report_input(session, slug, "en"))
        q = load(SHIPPED)
        indicators = {v.code: v for v in variables(q) if v.indicator is not None and v.kind in ("single", "rating")}
        checked = 0
        for e in report.estimates:
            if e.statistic != "indicator" or e.group_variable is not None or e.estimate is None:
                continue
            v = indicators[e.item]
            favourable = {str(c) for c in v.indicator.favourable}  # type: ignore[union-attr]
            skip = v.missing_codes
            mine = waves == slug
            x = [table[e.item][i] for i in np.flatnonzero(mine)]
            w = weights[mine]
            answered = np.array([a is not None and str(a) not in skip for a in x])
            good = np.array([a is not None and str(a) in favourable for a in x])
            assert (w * good).sum() / (w * answered).sum() == pytest.approx(e.estimate, abs=1e-9)
            checked += 1
        assert checked >= 10


async def test_result_tables_open_in_finnish_excel_rounded_as_in_the_report(
    client: httpx.AsyncClient, db: Database
) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    async with db.write() as session:
        await import_responses(session, "syn-1", ORACLE / "wave1.csv")
    await staff_user(db, "anna", "analyst")
    client.headers["Authorization"] = f"Bearer {await api_token(db, 'anna')}"
    plain = await client.get("/api/v1/surveys/syn-1/report", params={"format": "csv", "lang": "fi"})
    excel = await client.get("/api/v1/surveys/syn-1/report", params={"format": "csv-fi", "lang": "fi"})
    assert plain.status_code == excel.status_code == 200
    assert "excel-fi.csv" in excel.headers["content-disposition"]
    plain_rows = list(csv.DictReader(io.StringIO(plain.content.decode("utf-8-sig"))))
    fi_rows = list(csv.DictReader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))
    assert len(plain_rows) == len(fi_rows) > 10
    for p, f in zip(plain_rows, fi_rows, strict=True):
        if not p["estimate"]:
            assert f["estimate"] == ""
            continue
        share = p["statistic"] in ("share", "indicator")
        shown = f"{100 * float(p['estimate']):.1f}" if share else f"{float(p['estimate']):.2f}"
        assert f["estimate"] == shown.replace(".", ",") and f["unit"] == ("%" if share else "")
        assert "." not in f["ci_low"]
