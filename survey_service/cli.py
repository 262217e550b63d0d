"""The ``survey-service`` command: serving, database migrations, questionnaires and survey waves."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from alembic.config import Config

from survey_service.db.engine import Database
from survey_service.settings import get_settings

T = TypeVar("T")
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def run_with_db(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` with a database of the configured URL, disposing of it afterwards."""

    async def main() -> T:
        db = Database(get_settings().database_url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Survey and feedback service for measuring good relations between population groups.

    Configuration comes from SURVEY_* environment variables (see README).
    """


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: SURVEY_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: SURVEY_PORT or 8000).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the web application and API."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "survey_service.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,  # access logs would record client addresses
        server_header=False,
        proxy_headers=False,
    )


@main.group()
def db() -> None:
    """Database schema."""


def alembic_config(database_url: str | None = None) -> Config:
    """Alembic configuration for the top-level migrations/ folder and the given (or configured) URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["database_url"] = database_url or get_settings().database_url
    return cfg


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade(revision: str) -> None:
    """Create or migrate the database schema (SURVEY_DATABASE_URL) to the latest revision."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    click.echo(f"database at revision {revision}")


@db.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Write a consistent copy of the SQLite database to PATH while the service keeps running.

    For PostgreSQL use pg_dump (see README).
    """
    from survey_service.db.backup import backup_sqlite

    url = get_settings().database_url
    if not url.startswith("sqlite"):
        raise click.UsageError("db backup copies the embedded SQLite database; for PostgreSQL use pg_dump (README)")
    pages = backup_sqlite(url, path)
    click.echo(f"backed up {pages} pages to {path}")


@main.group()
def questionnaire() -> None:
    """Questionnaire definitions."""


@questionnaire.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def validate(path: Path) -> None:
    """Check a questionnaire folder or YAML file; exits 1 listing every problem."""
    from survey_service.questionnaire.loader import DefinitionError, load

    try:
        q = load(path)
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) found", err=True)
        sys.exit(1)
    n = sum(1 for _ in q.questions())
    click.echo(f"{q.slug}: valid ({len(q.sections)} sections, {n} questions, languages {', '.join(q.languages)})")


@questionnaire.command("load")
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of questionnaire folders (default: SURVEY_QUESTIONNAIRES_DIR or ./questionnaires).",
)
def load_shipped(root: Path | None) -> None:
    """Load the shipped questionnaires: each changed definition becomes a new published version."""
    from survey_service.domain.questionnaires.services import shipped_folders, store
    from survey_service.questionnaire.loader import DefinitionError, load

    folders = shipped_folders(root or get_settings().questionnaires_dir)
    try:
        definitions = [load(folder) for folder in folders]
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)

    async def work(db: Database) -> list[str]:
        lines = []
        async with db.write() as session:
            for q in definitions:
                stored = await store(session, q, publish=True, note="shipped definition")
                lines.append(f"{q.slug}: version {stored.version.number} {stored.outcome}")
        return lines

    for line in run_with_db(work):
        click.echo(line)
    if not folders:
        click.echo("no questionnaires found", err=True)


@main.group()
def survey() -> None:
    """Survey waves."""


@survey.command("ensure-demo")
def ensure_demo() -> None:
    """Create an open demo wave of the default questionnaire unless one exists."""
    from survey_service.domain.surveys.services import ensure_demo as ensure

    async def work(db: Database) -> str:
        async with db.write() as session:
            s, created = await ensure(session)
            return f"survey {s.slug}: {'created' if created else 'exists'}"

    click.echo(run_with_db(work))


@main.group()
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
def create_invitations(slug: str, count: int | None, strata: Path | None) -> None:
    """Issue invitations; prints CSV (token, code, link, then the strata columns) to stdout.

    Tokens and codes are shown only this once: the database keeps their hashes only.
    """
    import csv

    from survey_service.domain.invitations.services import create_invitations as issue
    from survey_service.domain.invitations.services import invitation_link
    from survey_service.domain.surveys.services import get_survey
    from survey_service.errors import DomainError

    rows: list[dict[str, str]] | None = None
    columns: list[str] = []
    if strata is not None:
        with strata.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            columns = list(reader.fieldnames or [])
            rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    if count is None and rows is None:
        raise click.UsageError("give --count, --strata or both")
    n = count if count is not None else len(rows or [])

    async def work(db: Database) -> list[list[str]]:
        async with db.write() as session:
            survey = await get_survey(session, slug)
            issued = await issue(session, survey, n, rows)
        public_url = get_settings().public_url
        return [
            [i.token, i.code, invitation_link(public_url, slug, i.token)]
            + [(i.language or "") if c == "language" else i.strata.get(c, "") for c in columns]
            for i in issued
        ]

    try:
        out = run_with_db(work)
    except DomainError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        sys.exit(1)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["token", "code", "link", *columns])
    writer.writerows(out)


def _register_results_commands() -> None:
    from survey_service.results.commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register_results_commands()

if __name__ == "__main__":
    main()
