"""Exports of responses: CSV/XLSX with a codebook and formula neutralisation, SPSS/Stata with labels,
Parquet, and DDI-Codebook metadata that validates against the DDI-Codebook schema."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow.parquet as pq
import pyreadstat
from openpyxl import load_workbook

from survey_service.db.engine import Database
from survey_service.domain.exports.services import csv_stream, export_plan_to, export_to
from survey_service.domain.imports.services import import_responses
from survey_service.domain.plans.services import add_wave, create_plan
from tests.ddi_schema import as_ddi_26, ddi_26_schema
from tests.helpers import ROOT, mini, open_survey, published, synthetic_wave

SMALL = (
    "age,gender,lang,area,BEL,GETON,SAFE,TRUST,DISC,INT1,INT2,INT3,INT4\n"
    "30_44,female,domestic,kuusankoski,1,3,2,6,yes,2,3,2,3\n"
    "65_plus,male,foreign,valkeala,9,,4,0,no_answer,5,5,5,5\n"
)


async def _wave(db: Database, tmp_path: Path) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    path = tmp_path / "in.csv"
    path.write_text(SMALL)
    async with db.write() as session:
        await import_responses(session, "syn-1", path)


async def test_csv_streams_codes_or_labels(db: Database, tmp_path: Path) -> None:
    await _wave(db, tmp_path)
    body = b"".join([c async for c in await csv_stream(db, "syn-1")])
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2
    by_age = {r["age"]: r for r in rows}
    assert by_age["65_plus"]["BEL"] == "9" and by_age["65_plus"]["GETON"] == ""
    assert by_age["30_44"]["DISC"] == "yes" and by_age["30_44"]["language"] == "fi"
    out = tmp_path / "labels.csv"
    await export_to(db, "syn-1", "csv", out, labels="en")
    labelled = {r["age"]: r for r in csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))}
    assert labelled["65+"]["BEL"] == "Don't know"
    assert labelled["30–44"]["lang"] == "Finnish or Swedish speakers"


async def test_text_cells_that_look_like_formulas_are_neutralised(db: Database, tmp_path: Path) -> None:
    await open_survey(db)
    path = tmp_path / "mini.csv"
    path.write_text('GETON,AREA_NAME,STORY\n1,=HYPERLINK("http://x"),"@SUM(A1)"\n2,-2+3,plain\n')
    async with db.write() as session:
        await import_responses(session, "mini-2026", path)
    body = b"".join([c async for c in await csv_stream(db, "mini-2026", free_text=True)]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["AREA_NAME"] for r in rows} == {'\'=HYPERLINK("http://x")', "'-2+3"}
    assert {r["STORY"] for r in rows} == {"'@SUM(A1)", "plain"}
    xlsx = tmp_path / "mini.xlsx"
    await export_to(db, "mini-2026", "xlsx", xlsx, free_text=True)
    wb = load_workbook(xlsx, read_only=True)
    cells = [str(c) for row in wb["data"].iter_rows(values_only=True) for c in row if c is not None]
    assert '\'=HYPERLINK("http://x")' in cells and not any(c.startswith("=") for c in cells)
    assert len(list(wb["codebook"].iter_rows(values_only=True))) > 10


async def test_free_text_answers_are_left_out_of_exports_unless_asked_for(db: Database, tmp_path: Path) -> None:
    await open_survey(db)
    path = tmp_path / "mini.csv"
    path.write_text("GETON,AREA_NAME,STORY\n1,Kuusankoski,Minulle sanottiin rumasti.\n")
    async with db.write() as session:
        await import_responses(session, "mini-2026", path)
    body = b"".join([c async for c in await csv_stream(db, "mini-2026")]).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(body)))
    assert "GETON" in header and "STORY" not in header and "AREA_NAME" not in header
    assert "rumasti" not in body and "Kuusankoski" not in body
    xlsx = tmp_path / "mini.xlsx"
    await export_to(db, "mini-2026", "xlsx", xlsx)
    wb = load_workbook(xlsx, read_only=True)
    assert not any("rumasti" in str(c) for row in wb["data"].iter_rows(values_only=True) for c in row)
    asked = b"".join([c async for c in await csv_stream(db, "mini-2026", free_text=True)]).decode("utf-8-sig")
    assert "Minulle sanottiin rumasti." in asked


async def test_sav_and_dta_read_back_with_variable_and_value_labels(db: Database, tmp_path: Path) -> None:
    await _wave(db, tmp_path)
    for fmt in ("sav", "dta"):
        out = tmp_path / f"syn.{fmt}"
        await export_to(db, "syn-1", fmt, out)
        reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
        data, meta = reader(str(out), output_format="dict", user_missing=True)
        labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
        assert labels["BEL"] == "Kuinka vahvasti koet kuuluvasi asuinalueeseesi?"
        assert meta.variable_value_labels["BEL"][9] == "En osaa sanoa"
        assert meta.variable_value_labels["age"] == {1: "18–29", 2: "30–44", 3: "45–64", 4: "65+"}
        assert sorted(list(data["age"])) == [2, 4]
        assert labels["INT1"].endswith("Työssä tai opiskelussa")
        if fmt == "sav":
            assert meta.missing_ranges["BEL"] == [{"lo": 9.0, "hi": 9.0}]


async def test_multiple_choice_becomes_one_labelled_variable_per_choice_in_sav(db: Database, tmp_path: Path) -> None:
    await open_survey(db)
    path = tmp_path / "mini.csv"
    path.write_text("GETON,DISC_WORK,GROUNDS\n1,yes,origin language\n2,no,\n")
    async with db.write() as session:
        await import_responses(session, "mini-2026", path)
    out = tmp_path / "mini.sav"
    await export_to(db, "mini-2026", "sav", out)
    data, meta = pyreadstat.read_sav(str(out), output_format="dict")
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["GROUNDS_1"] == "Perusteet: Alkuperä"
    values = sorted(
        zip(list(data["GROUNDS_1"]), list(data["GROUNDS_2"]), list(data["GROUNDS_3"]), strict=True), key=str
    )
    assert values[0] == (1.0, 1.0, 0.0)


async def test_parquet_keeps_types(db: Database, tmp_path: Path) -> None:
    await _wave(db, tmp_path)
    out = tmp_path / "syn.parquet"
    await export_to(db, "syn-1", "parquet", out)
    table = pq.read_table(out)
    assert str(table.schema.field("BEL").type) == "int64"
    assert str(table.schema.field("age").type) == "string"
    assert sorted(table.column("TRUST").to_pylist()) == [0, 6]


async def test_ddi_codebook_validates_against_the_ddi_codebook_schema(db: Database, tmp_path: Path) -> None:
    """Validated against DDI-Codebook **2.6** (the backward-compatible successor of 2.5; the 2.5 XSD is
    not obtainable here): the export's 2.5 namespace and version are mapped to 2.6 in memory; see
    tests/ddi_schema.py for the one in-memory change to the schema itself (documentation removed)."""
    await _wave(db, tmp_path)
    out = tmp_path / "syn.xml"
    await export_to(db, "syn-1", "ddi", out)
    text = out.read_bytes()
    assert b'xmlns="ddi:codebook:2_5"' in text
    schema = ddi_26_schema()
    doc = as_ddi_26(text)
    assert schema.validate(doc), schema.error_log
    ns = {"d": "ddi:codebook:2_6"}
    bel = doc.find(".//d:var[@name='BEL']", ns)
    assert bel is not None
    assert {q.get("{http://www.w3.org/XML/1998/namespace}lang") for q in bel.findall(".//d:qstnLit", ns)} == {
        "fi",
        "en",
    }
    dk = [c for c in bel.findall("d:catgry", ns) if c.findtext("d:catValu", namespaces=ns) == "9"]
    assert dk and dk[0].get("missing") == "Y"


async def test_default_questionnaire_ddi_validates_in_every_language(db: Database, tmp_path: Path) -> None:
    from survey_service.questionnaire.loader import load
    from survey_service.results.ddi import codebook

    q = load(ROOT / "questionnaires" / "good-relations")
    text = codebook(q, survey="gr", title=dict(q.title), year=2026, n_responses=0, file_name="gr.csv")
    schema = ddi_26_schema()
    doc = as_ddi_26(text)
    assert schema.validate(doc), schema.error_log
    langs = {q_.get("{http://www.w3.org/XML/1998/namespace}lang") for q_ in doc.iter("{ddi:codebook:2_6}qstnLit")}
    assert langs == set(q.languages)
    assert mini  # the mini questionnaire is covered by the tests above
    assert published


async def test_an_anonymous_invitation_wave_cannot_be_exported_around_one_new_answer(
    db: Database, tmp_path: Path
) -> None:
    import pytest
    from sqlalchemy import update

    from survey_service.db.models import Survey
    from survey_service.errors import Conflict

    wave = await synthetic_wave(db, "syn-1", 2025)
    async with db.write() as session:
        await session.execute(update(Survey).where(Survey.id == wave.id).values(access="invitation", anonymous=True))
        path = tmp_path / "paper.csv"
        path.write_text("age,lang,BEL\n18_29,foreign,1\n65_plus,domestic,2\n")
        await import_responses(session, "syn-1", path)
    # the analyst's differencing attack needs two exports during fieldwork, one before and one after an answer
    for fmt in ("csv", "xlsx", "parquet"):
        with pytest.raises(Conflict, match="once its fieldwork is over"):
            await export_to(db, "syn-1", fmt, tmp_path / f"before.{fmt}")
    with pytest.raises(Conflict):
        await csv_stream(db, "syn-1")
    async with db.write() as session:  # nor inside a pooled export of a plan it belongs to
        await create_plan(session, slug="plan-2025", name="Plan", start_year=2025, end_year=2028)
        await add_wave(session, "plan-2025", "syn-1")
    with pytest.raises(Conflict, match="once its fieldwork is over"):
        await export_plan_to(db, "plan-2025", "csv", tmp_path / "before-pooled.csv")
    assert not list(tmp_path.glob("before*"))
    async with db.write() as session:
        await session.execute(update(Survey).where(Survey.id == wave.id).values(status="closed"))
    assert await export_to(db, "syn-1", "csv", tmp_path / "after.csv") == 2
    header = (tmp_path / "after.csv").read_text().splitlines()[0].lower()
    assert not any(word in header for word in ("date", "submitted", "started", "time", "day"))
