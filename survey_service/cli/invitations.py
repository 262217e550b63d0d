"""Invitations and their letters for invitation-only waves."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from survey_service.cli.base import run_with_db
from survey_service.db.engine import Database
from survey_service.settings import get_settings


@click.group()
def invitations() -> None:
    """Invitations of invitation-only survey waves."""


@invitations.command("create")
@click.argument("slug")
@click.option("--count", type=click.IntRange(min=1), default=None, help="How many invitations (default: strata rows).")
@click.option(
    "--strata",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV with a header and one row per invitation: its strata (a 'language' column presets the language).",
)
@click.option(
    "--letters",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Also write print-ready invitation letters (HTML, one A4 page each, with a QR code) to this file.",
)
def create_invitations(slug: str, count: int | None, strata: Path | None, letters: Path | None) -> None:
    """Issue invitations; prints CSV (token, code, link, then the strata columns) to stdout.

    Tokens and codes are shown only this once: the database keeps their hashes only, so the letters
    cannot be made again later either.
    """
    from survey_service.domain.audit.services import COMMAND_LINE, record
    from survey_service.domain.invitations.letters import letters_document
    from survey_service.domain.invitations.services import create_invitations as issue
    from survey_service.domain.invitations.services import invitations_csv, read_strata
    from survey_service.domain.surveys.services import get_survey
    from survey_service.errors import DomainError

    rows: list[dict[str, str]] | None = None
    columns: list[str] = []
    # Opened before anything is issued: the letters can never be made again once the tokens are gone.
    letters_file = letters.open("w", encoding="utf-8") if letters is not None else None
    document: str | None = None
    try:
        if strata is not None:
            columns, rows = read_strata(strata.read_text(encoding="utf-8-sig"))
        if count is None and rows is None:
            raise click.UsageError("give --count, --strata or both")
        n = count if count is not None else len(rows or [])

        async def work(db: Database) -> tuple[str, str | None]:
            public_url = get_settings().public_url
            async with db.write() as session:
                survey = await get_survey(session, slug)
                issued = await issue(session, survey, n, rows)
                await record(session, COMMAND_LINE, "invitations.create", slug, {"count": n, "letters": bool(letters)})
            # after the commit: making the QR codes does not hold the database's write lock
            document = letters_document(survey, issued, public_url) if letters else None
            return invitations_csv(issued, columns, public_url, slug), document

        out, document = run_with_db(work)
    except DomainError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        for item in exc.errors:
            click.echo(f"  {item.item}: {item.message}", err=True)
        sys.exit(1)
    finally:
        if letters_file is not None:
            if document is not None:
                letters_file.write(document)
            letters_file.close()
            if document is None and letters is not None:
                letters.unlink()  # nothing was issued: no empty letters file left behind
    sys.stdout.write(out)
