"""Invitations from the staff pages: the CSV and the printable letters come in the answer to the request
that creates them (tokens exist only then), letters carry the code, the link and a QR code of exactly
that link; strata files that would store personal data are refused; the command line writes letters too."""

from __future__ import annotations

import asyncio
import base64
import csv
import html
import io
import re
from pathlib import Path

import httpx
import segno
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import AuditEvent, Invitation
from survey_service.domain.invitations.letters import LETTER_TEXTS, qr_svg
from survey_service.domain.invitations.services import code_hash, new_token, token_hash
from tests.conftest import in_thread, migrate
from tests.helpers import count_rows, ensure_csrf, login, open_survey, staff_user
from tests.integration.test_cli import run

SLUG = "letters-2026"
PUBLIC = "http://127.0.0.1:8000"  # the test settings' public address (the default)


async def _create(
    client: httpx.AsyncClient, fields: dict[str, str], strata: str | None = None, slug: str = SLUG
) -> httpx.Response:
    token = await ensure_csrf(client)
    files = {"strata": ("strata.csv", strata.encode(), "text/csv")} if strata is not None else None
    return await client.post(f"/staff/surveys/{slug}/invitations", data={**fields, "_csrf_token": token}, files=files)


def _csv(page: str) -> list[dict[str, str]]:
    found = re.search(r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)" download="([^"]+)"', page)
    assert found is not None, "no CSV download on the page"
    assert found.group(2).startswith(f"invitations-{SLUG}-")
    return list(csv.DictReader(io.StringIO(base64.b64decode(found.group(1)).decode("utf-8-sig"))))


def _letters(page: str) -> list[str]:
    return re.findall(r'<article class="letter".*?</article>', page, flags=re.S)


async def test_the_creating_page_offers_the_csv_and_letters_with_the_exact_links(
    client: httpx.AsyncClient, db: Database
) -> None:
    await open_survey(db, SLUG, access="invitation")
    await staff_user(db, "designer", "designer")
    await login(client, "designer")
    strata = "area,language,age_group\nnorth,sv,18_29\nsouth,ar,30_64\nnorth,,65_plus\n"
    r = await _create(client, {"letters": "yes"}, strata)
    assert r.status_code == 201, r.text
    assert r.headers["cache-control"] == "no-store"
    assert "cannot be downloaded or made again" in r.text
    rows = _csv(r.text)
    assert list(rows[0]) == ["token", "code", "link", "area", "language", "age_group"]
    assert [(x["area"], x["language"], x["age_group"]) for x in rows] == [
        ("north", "sv", "18_29"),
        ("south", "ar", "30_64"),
        ("north", "", "65_plus"),
    ]
    async with db.read() as session:
        stored = {
            (i.token_hash, i.code_hash): (i.language, i.strata) for i in await session.scalars(select(Invitation))
        }
        [event] = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "invitations.create"))).all()
    assert event.detail == {"count": 3, "letters": True}
    letters = _letters(r.text)
    assert len(letters) == 3
    for row, letter in zip(rows, letters, strict=True):
        assert row["link"] == f"{PUBLIC}/s/{SLUG}?token={row['token']}"
        assert stored[(token_hash(row["token"]), code_hash(row["code"]))][0] == (row["language"] or None)
        # the letter's language: its own where there is a letter text, else the wave's source language (fi)
        language = row["language"] if row["language"] in LETTER_TEXTS else "fi"
        assert f'lang="{language}"' in letter.split(">")[0]
        assert LETTER_TEXTS[language].greeting in letter
        assert row["code"] in letter and row["link"] in letter
        # the QR code: the SVG made from exactly this link, and segno's own drawing of the link's matrix
        svg = re.search(r"<svg .*?</svg>", letter, flags=re.S)
        assert svg is not None
        assert svg.group(0) == str(qr_svg(row["link"], LETTER_TEXTS[language].qr_label))
        regenerated = segno.make(row["link"], error="m", micro=False).svg_inline(omitsize=True)
        assert re.search(r' d="([^"]+)"', regenerated).group(1) in svg.group(0)  # type: ignore[union-attr]
        assert 'role="img"' in svg.group(0) and "<title>" in svg.group(0)
    # the tokens are never shown again
    again = await client.get(f"/staff/surveys/{SLUG}/invitations")
    assert again.status_code == 200 and "Invitations issued so far: 3." in again.text
    assert not any(x["token"] in again.text or x["code"] in again.text for x in rows)


async def test_a_count_without_strata_makes_plain_invitations_and_letters_are_optional(
    client: httpx.AsyncClient, db: Database
) -> None:
    await open_survey(db, SLUG, access="invitation")
    await staff_user(db, "designer", "designer")
    await login(client, "designer")
    r = await _create(client, {"count": "4"})
    assert r.status_code == 201
    rows = _csv(r.text)
    assert len(rows) == 4 and list(rows[0]) == ["token", "code", "link"]
    assert _letters(r.text) == []
    assert await count_rows(db, "invitation") == 4


BAD_STRATA = [
    ("name,area\nMatti,north\n", "column 'name'"),
    ("area,contact\nnorth,matti@example.fi\n", "looks like a contact"),
    ("area,language\nnorth,xx\n", "language 'xx' is not supported"),
    ("area\n" + "".join(f"house {i}\n" for i in range(25)), "a different value on every row"),
    ("area,age\nnorth\n", "1 cells, the header has 2"),
]


async def test_strata_files_that_would_store_personal_data_are_refused(client: httpx.AsyncClient, db: Database) -> None:
    await open_survey(db, SLUG, access="invitation")
    await staff_user(db, "designer", "designer")
    await login(client, "designer")
    for strata, message in BAD_STRATA:
        r = await _create(client, {"letters": "yes"}, strata)
        assert r.status_code == 400, strata
        assert message in html.unescape(r.text), message
        assert 'href="#strata"' in r.text
    mismatch = await _create(client, {"count": "5"}, "area\nnorth\nsouth\n")
    assert mismatch.status_code == 400 and "count is 5 but the strata file has 2 rows" in mismatch.text
    nothing = await _create(client, {})
    assert nothing.status_code == 400 and 'href="#count"' in nothing.text
    assert await count_rows(db, "invitation") == 0
    await open_survey(db, "open-2026")
    open_wave = await _create(client, {"count": "1"}, slug="open-2026")
    assert open_wave.status_code == 400 and "open-link survey" in open_wave.text


def test_the_command_line_writes_the_letters_with_the_printed_links(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'letters.db'}"
    migrate(url)

    async def prepare() -> None:
        db = Database(url)
        try:
            await open_survey(db, SLUG, access="invitation")
        finally:
            await db.dispose()

    in_thread(asyncio.run, prepare())
    strata = tmp_path / "strata.csv"
    strata.write_text("area,language\nnorth,en\nsouth,fi\n", encoding="utf-8")
    letters = tmp_path / "letters.html"
    env = {
        "SURVEY_DATABASE_URL": url,
        "SURVEY_PUBLIC_URL": "https://kysely.example.fi",
        "SURVEY_VAR_DIR": str(tmp_path),
    }
    result = run(["invitations", "create", SLUG, "--strata", str(strata), "--letters", str(letters)], env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    document = letters.read_text(encoding="utf-8")
    assert document.startswith("<!doctype html>") and "@page { size: A4" in document
    found = _letters(document)
    assert len(found) == 2
    for row, letter in zip(rows, found, strict=True):
        assert row["code"] in letter and row["link"] in letter
        assert str(qr_svg(row["link"], LETTER_TEXTS[row["language"]].qr_label)) in letter
    refused = run(["invitations", "create", SLUG, "--count", "1", "--strata", str(tmp_path / "nope.csv")], env)
    assert refused.returncode == 2
    failed = tmp_path / "failed.html"
    mismatch = run(
        ["invitations", "create", SLUG, "--count", "5", "--strata", str(strata), "--letters", str(failed)], env
    )
    assert mismatch.returncode == 1 and not failed.exists()  # nothing issued, no empty letters file


def test_tokens_never_start_with_a_minus_that_spreadsheets_read_as_a_formula() -> None:
    # one in 64 random tokens would: among 3,000 several would appear
    assert not any(new_token().startswith("-") for _ in range(3000))
