"""The database: schema migrations, backups and the deletion of data past its retention period."""

from __future__ import annotations

from pathlib import Path

import click
from alembic.config import Config

from survey_service.cli.base import run_with_db
from survey_service.db.engine import Database
from survey_service.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


@click.group()
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


@click.group()
def retention() -> None:
    """Deleting data past its retention period."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def retention_apply(dry_run: bool) -> None:
    """Delete complete responses, abandoned partial responses, idempotency keys and closed feedback texts
    past their retention periods (SURVEY_RESPONSE_RETENTION_MONTHS, SURVEY_PARTIAL_RETENTION_DAYS,
    SURVEY_FEEDBACK_RETENTION_MONTHS). Safe to run from cron."""
    from survey_service.domain.retention.services import apply

    settings = get_settings()

    async def work(db: Database) -> list[str]:
        async with db.write() as session:
            r = await apply(
                session,
                response_months=settings.response_retention_months,
                partial_days=settings.partial_retention_days,
                feedback_months=settings.feedback_retention_months,
                dry_run=dry_run,
            )
        verb = "would delete" if dry_run else "deleted"
        return [
            f"{verb} {r.responses} complete response(s) submitted on or before {r.responses_cutoff.isoformat()}",
            f"{verb} {r.partials} partial response(s) started on or before {r.partials_cutoff.isoformat()}",
            f"{verb} {r.idempotency_keys} idempotency key(s)",
            f"{'would purge' if dry_run else 'purged'} the text of {r.feedback_cases} closed feedback case(s)",
        ]

    for line in run_with_db(work):
        click.echo(line)
