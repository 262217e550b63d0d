"""Importing responses from CSV/XLSX: every row checked like a web answer, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from survey_service.db.engine import Database
from survey_service.db.models import Response
from survey_service.domain.imports.services import import_responses
from survey_service.errors import BadRequest, Unprocessable
from tests.helpers import ORACLE, synthetic_wave

HEADER = "age,gender,lang,area,BEL,GETON,SAFE,TRUST,DISC,INT1,INT2,INT3,INT4"


async def _count(db: Database) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.count()).select_from(Response))).scalar_one())


async def _import(db: Database, path: Path, **kw: Any) -> int:
    async with db.write() as session:
        return await import_responses(session, "syn-1", path, **kw)


async def test_oracle_wave_imports_every_row_with_typed_codes(db: Database) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    assert await _import(db, ORACLE / "wave1.csv") == 1800
    async with db.read() as session:
        rows = (await session.execute(select(Response.answers, Response.mode, Response.language))).all()
    assert len(rows) == 1800
    first = rows[0]
    assert first.mode == "import" and first.language == "fi"
    answers = [r.answers for r in rows]
    assert any(a.get("BEL") == 9 for a in answers)  # don't know is kept as its code
    assert any(a.get("DISC") == "no_answer" for a in answers)
    assert all(isinstance(a.get("BEL", 1), int) for a in answers)
    assert any("TRUST" not in a for a in answers)  # an empty cell is item non-response


async def test_one_bad_row_rejects_the_whole_file_with_located_errors(db: Database, tmp_path: Path) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    path = tmp_path / "bad.csv"
    path.write_text(
        f"{HEADER}\n"
        "30_44,female,domestic,kuusankoski,1,3,2,6,yes,2,3,2,3\n"
        "30_44,female,domestic,kuusankoski,7,3,2,11,maybe,2,3,2,3\n"
        "30_44,female,domestic,kuusankoski,1,3,2,6,no,2,3,2,3\n"
    )
    with pytest.raises(Unprocessable) as exc:
        await _import(db, path)
    assert "1 row(s) are not valid; nothing was imported" in exc.value.detail
    items = {(e.item, e.message.split(" ")[0]) for e in exc.value.errors}
    assert ("row 3, column BEL", "'7'") in items
    assert ("row 3, column TRUST", "expected") in items
    assert ("row 3, column DISC", "'maybe'") in items
    assert await _count(db) == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("age,BEL,BEL", "column 'BEL' appears twice"),
        ("age,BELONGING", "'BELONGING' is not a question code of this questionnaire"),
    ],
)
async def test_header_problems_are_errors(db: Database, tmp_path: Path, header: str, message: str) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    path = tmp_path / "h.csv"
    path.write_text(f"{header}\n18_29,1,1\n")
    with pytest.raises(Unprocessable) as exc:
        await _import(db, path)
    assert any(e.message == message for e in exc.value.errors)
    assert await _count(db) == 0


async def test_bom_semicolons_language_column_and_multiple_choice_text(db: Database, tmp_path: Path) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffage;lang;BEL;language\n18_29;foreign;1;en\n65_plus;domestic;9;\n".encode())
    assert await _import(db, path, mode="paper") == 2
    async with db.read() as session:
        rows = sorted((await session.execute(select(Response.language, Response.mode))).all())
    assert rows == [("en", "paper"), ("fi", "paper")]


async def test_unknown_language_and_non_utf8_files_are_rejected(db: Database, tmp_path: Path) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    lang = tmp_path / "lang.csv"
    lang.write_text("age,language\n18_29,xx\n")
    with pytest.raises(Unprocessable) as exc:
        await _import(db, lang)
    assert exc.value.errors[0].item == "row 2, column language"
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"age,BEL\n18_29,1\n" + "ä".encode("latin-1"))
    with pytest.raises(Unprocessable, match="not UTF-8"):
        await _import(db, latin)
    with pytest.raises(BadRequest):
        await _import(db, lang, mode="carrier-pigeon")


async def test_xlsx_files_import_like_csv(db: Database, tmp_path: Path) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER.split(","))
    ws.append(["45_64", "male", "foreign", "valkeala", 2, 1, 1, 7, "no", 1, 2, 3, 4])
    ws.append(["18_29", "female", "domestic", "jaala", None, 4, 9, 0, None, 5, 5, 5, 5])
    path = tmp_path / "answers.xlsx"
    wb.save(path)
    assert await _import(db, path) == 2


async def test_a_closed_wave_takes_imports_from_an_administrator_only_and_never_as_web_answers(
    db: Database, tmp_path: Path
) -> None:
    from sqlalchemy import update

    from survey_service.db.models import Survey
    from survey_service.domain.audit.services import Actor
    from survey_service.errors import Forbidden
    from tests.helpers import staff_user

    await synthetic_wave(db, "syn-1", 2025)
    path = tmp_path / "late.csv"
    path.write_text("age,lang,BEL\n18_29,foreign,1\n")
    designer = await staff_user(db, "dora", "designer")
    admin = await staff_user(db, "ada", "admin")
    with pytest.raises(BadRequest, match="mode must be one of import, paper, interview"):
        await _import(db, path, mode="web")
    async with db.write() as session:
        await session.execute(update(Survey).where(Survey.slug == "syn-1").values(status="closed"))
    for mode in ("import", "paper"):
        with pytest.raises(Forbidden, match="is closed"):
            await _import(db, path, mode=mode, actor=Actor("dora", "web", designer.id))
    assert await _count(db) == 0
    assert await _import(db, path, actor=Actor("ada", "api", admin.id)) == 1
