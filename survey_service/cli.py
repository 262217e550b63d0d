"""The ``survey-service`` command: serving, database migrations, questionnaires and survey waves."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import NoReturn, TypeVar

import click
from alembic.config import Config

from survey_service.db.engine import Database
from survey_service.settings import get_settings

T = TypeVar("T")
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def run_with_db(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` with a database of the configured URL, disposing of it afterwards.

    A ``DomainError`` (a refused request: unknown survey, invalid input…) ends the command with its message
    and its located errors on stderr and exit status 1.
    """
    from survey_service.errors import DomainError

    async def main() -> T:
        db = Database(get_settings().database_url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        for item in exc.errors[:20]:
            click.echo(f"{item.item}: {item.message}", err=True)
        _fail(exc)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Survey and feedback service for measuring good relations between population groups.

    Configuration comes from SURVEY_* environment variables (see README).
    """
    # Everything the service writes (database, exports, backups, letters) is for the service user alone.
    os.umask(0o077)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: SURVEY_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: SURVEY_PORT or 8000).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the web application and API."""
    import uvicorn

    from survey_service.server import uvicorn_options

    options = uvicorn_options(get_settings())
    options.update({k: v for k, v in (("host", host), ("port", port)) if v})
    uvicorn.run("survey_service.app:create_app", factory=True, workers=workers, **options)


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


def _version_ref(ref: str) -> tuple[str, int | None]:
    """``SLUG`` or ``SLUG@VERSION``."""
    slug, _, number = ref.partition("@")
    if number and not number.isdigit():
        raise click.BadParameter(f"expected SLUG or SLUG@VERSION, not {ref!r}")
    return slug, int(number) if number else None


@questionnaire.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish at once (every string must be translated).")
def import_definition(path: Path, publish: bool) -> None:
    """Import a definition as a draft (or publish it): a YAML folder or file, or an XLSForm .xlsx.

    A definition identical to the latest version changes nothing (exit 0).
    """
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.questionnaires.services import store
    from survey_service.questionnaire.loader import DefinitionError, load
    from survey_service.questionnaire.xlsform import from_xlsform

    try:
        if path.suffix.lower() == ".xlsx":
            q = from_xlsform(path.read_bytes(), str(path), complete=publish)
        else:
            q = load(path, complete=publish)
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) found; nothing was stored", err=True)
        sys.exit(1)

    async def work(db: Database) -> str:
        async with db.write() as session:
            stored = await store(session, q, publish=publish, note=f"imported {path.name}", actor=COMMAND_LINE)
        v = stored.version
        if stored.outcome == "unchanged":
            return f"{q.slug}: identical to version {v.number} ({v.status}); nothing changed"
        return f"{q.slug}: version {v.number} {stored.outcome} ({v.status})"

    click.echo(run_with_db(work))


@questionnaire.command("export")
@click.argument("ref", metavar="SLUG[@VERSION]")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True, help="FILE.xlsx")
def export_definition(ref: str, output: Path) -> None:
    """Export a version (default: the latest, draft or published) as an XLSForm workbook."""
    from survey_service.domain.questionnaires.services import definition_of, get_version, latest_version
    from survey_service.errors import NotFound
    from survey_service.questionnaire.xlsform import to_xlsform

    slug, number = _version_ref(ref)

    async def work(db: Database) -> tuple[bytes, int]:
        async with db.read() as session:
            v = await get_version(session, slug, number) if number else await latest_version(session, slug)
            if v is None:
                raise NotFound(f"no questionnaire {slug!r}")
            return to_xlsform(definition_of(v), str(v.number)), v.number

    data, n = run_with_db(work)
    output.write_bytes(data)
    click.echo(f"{slug}@{n} written to {output}")


@questionnaire.command("publish")
@click.argument("ref", metavar="SLUG@VERSION")
def publish_version(ref: str) -> None:
    """Publish a draft version; from then on it can never change."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.questionnaires.services import publish

    slug, number = _version_ref(ref)
    if number is None:
        raise click.BadParameter("give the version: SLUG@VERSION")

    async def work(db: Database) -> str:
        async with db.write() as session:
            v = await publish(session, slug, number, COMMAND_LINE)
            return f"{slug}: version {v.number} published"

    click.echo(run_with_db(work))


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


@main.group()
def feedback() -> None:
    """Resident feedback: retention and counts."""


@feedback.command()
@click.option("--dry-run", is_flag=True, help="List what would be purged; change nothing.")
@click.option(
    "--older-than",
    "months",
    type=click.IntRange(min=1),
    default=None,
    help="Months since closing (default: SURVEY_FEEDBACK_RETENTION_MONTHS or 24).",
)
def purge(dry_run: bool, months: int | None) -> None:
    """Delete the free text of feedback cases closed longer ago than the retention period.

    The message, the reply, internal notes and any contact go; topic, kind, language, dates and the audit
    trail stay for the annual counts. One transaction; running it again changes nothing (safe for cron).
    """
    from survey_service.domain.feedback.services import purge as purge_cases

    retention = months or get_settings().feedback_retention_months

    async def work(db: Database) -> list[str]:
        async with db.write() as session:
            report = await purge_cases(session, months=retention, dry_run=dry_run)
        verb, summary = ("would purge", "to purge") if dry_run else ("purged", "purged")
        lines = [f"{verb} case {c.id} (closed {c.closed_on.isoformat()})" for c in report.cases]
        lines.append(
            f"{len(report.cases)} case(s) {summary}: closed on or before {report.cutoff.isoformat()} "
            f"({retention} months)"
        )
        if report.open_before_cutoff:
            lines.append(
                f"note: {report.open_before_cutoff} case(s) received on or before {report.cutoff.isoformat()} "
                "are not closed and keep their text"
            )
        return lines

    for line in run_with_db(work):
        click.echo(line)


@feedback.command()
@click.option("--year", type=int, required=True, help="Calendar year the feedback was received in.")
@click.option("--period", type=click.Choice(["year", "quarter"]), default="year", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def counts(year: int, period: str, fmt: str) -> None:
    """Feedback received by topic × kind × language, with totals ("all"); small counts suppressed (empty)."""
    import csv

    import msgspec

    from survey_service.domain.feedback.schemas import FeedbackCounts
    from survey_service.domain.feedback.services import counts as count_cases

    async def work(db: Database) -> FeedbackCounts:
        async with db.read() as session:
            return await count_cases(session, year=year, period=period)

    table = run_with_db(work)
    if fmt == "json":
        click.echo(msgspec.json.format(msgspec.json.encode(table)).decode())
        return
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["period", "topic", "kind", "language", "count"])
    for cell in table.cells:
        out.writerow([cell.period, cell.topic, cell.kind, cell.language, "" if cell.count is None else cell.count])


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


@survey.command("create")
@click.argument("slug")
@click.option(
    "--questionnaire",
    "questionnaire_ref",
    required=True,
    metavar="QSLUG[@VERSION]",
    help="The published version to field (default: the latest published one).",
)
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="The year the wave measures.")
@click.option("--plan", default=None, help="An existing plan period's slug.")
@click.option("--access", type=click.Choice(["open", "invitation"]), default="open", show_default=True)
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (YYYY-MM-DD); default: now.")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day (YYYY-MM-DD), inclusive.")
@click.option(
    "--title",
    "titles",
    multiple=True,
    metavar="LANG=TEXT",
    help="The wave's title in one language (repeatable); default: the questionnaire's title.",
)
def survey_create(
    slug: str,
    questionnaire_ref: str,
    year: int,
    plan: str | None,
    access: str,
    opens: datetime | None,
    closes: datetime | None,
    titles: tuple[str, ...],
) -> None:
    """Create a survey wave of a published questionnaire version (its version never changes)."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.surveys.services import create_wave, local_day

    qslug, number = _version_ref(questionnaire_ref)
    title: dict[str, str] = {}
    for item in titles:
        lang, sep, text = item.partition("=")
        if not sep or not lang.strip() or not text.strip():
            raise click.BadParameter(f"expected LANG=TEXT, not {item!r}", param_hint="--title")
        title[lang.strip()] = text.strip()

    async def work(db: Database) -> str:
        async with db.write() as session:
            s = await create_wave(
                session,
                COMMAND_LINE,
                slug=slug,
                questionnaire=qslug,
                version=number,
                year=year,
                plan=plan,
                access=access,
                opens=opens.date() if opens else None,
                closes=closes.date() if closes else None,
                titles=title,
            )
            opening = f"opens {local_day(s.opens_at)}" if s.opens_at else "open now"
            return f"survey {s.slug}: created ({qslug}@{s.version.number}, {s.access}, {opening})"

    click.echo(run_with_db(work))


@survey.command("close")
@click.argument("slug")
def survey_close(slug: str) -> None:
    """Close a wave: it stops accepting answers."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.surveys.services import close_survey

    async def work(db: Database) -> str:
        async with db.write() as session:
            await close_survey(session, COMMAND_LINE, slug)
            return f"survey {slug}: closed"

    click.echo(run_with_db(work))


@survey.command("reopen")
@click.argument("slug")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), default=None, help="A new last day (YYYY-MM-DD).")
def survey_reopen(slug: str, closes: datetime | None) -> None:
    """Reopen a closed wave (a wave past its last day needs a new one)."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.surveys.services import reopen_survey

    async def work(db: Database) -> str:
        async with db.write() as session:
            await reopen_survey(session, COMMAND_LINE, slug, closes.date() if closes else None)
            return f"survey {slug}: open"

    click.echo(run_with_db(work))


@survey.command("list")
def survey_list() -> None:
    """List every wave: slug, questionnaire@version, year, access, status."""
    from survey_service.db.base import utcnow
    from survey_service.domain.questionnaires.services import definition_of
    from survey_service.domain.surveys.services import all_surveys

    async def work(db: Database) -> list[str]:
        async with db.read() as session:
            now = utcnow()
            return [
                f"{s.slug}\t{definition_of(s.version).slug}@{s.version.number}\t{s.year}\t{s.access}\t"
                f"{'accepting answers' if s.is_open(now) else s.status}"
                for s in await all_surveys(session)
            ]

    for line in run_with_db(work):
        click.echo(line)


@main.group()
def user() -> None:
    """Staff accounts."""


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _fail(exc: Exception) -> NoReturn:
    from survey_service.errors import DomainError

    click.echo(f"error: {exc.detail if isinstance(exc, DomainError) else exc}", err=True)
    sys.exit(1)


def _roles() -> click.Choice[str]:
    from survey_service.db.models import ROLES

    return click.Choice(ROLES)


@user.command("create")
@click.argument("username")
@click.option("--role", type=_roles(), required=True, help="The account's role.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a staff account (the password is asked for, or read from standard input)."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import create_user

    password = _read_password(password_stdin)

    async def work(db: Database) -> str:
        async with db.write() as session:
            u = await create_user(session, COMMAND_LINE, username, role, password)
            return f"created {u.username} ({u.role})"

    click.echo(run_with_db(work))


@user.command("set-role")
@click.argument("username")
@click.argument("role", type=_roles())
def user_set_role(username: str, role: str) -> None:
    """Change an account's role; its sessions end."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import set_role

    async def work(db: Database) -> str:
        async with db.write() as session:
            u = await set_role(session, COMMAND_LINE, username, role)
            return f"{u.username} is now {u.role}"

    click.echo(run_with_db(work))


@user.command("deactivate")
@click.argument("username")
def user_deactivate(username: str) -> None:
    """Deactivate an account: its sessions end and its API tokens stop working."""
    _set_active(username, False)


@user.command("activate")
@click.argument("username")
def user_activate(username: str) -> None:
    """Activate a deactivated account again."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import set_active

    async def work(db: Database) -> str:
        async with db.write() as session:
            u = await set_active(session, COMMAND_LINE, username, active)
            return f"{u.username} {'activated' if u.active else 'deactivated'}"

    click.echo(run_with_db(work))


@user.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_set_password(username: str, password_stdin: bool) -> None:
    """Set an account's password; its sessions end."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import get_user, set_password

    password = _read_password(password_stdin)

    async def work(db: Database) -> str:
        async with db.write() as session:
            u = await get_user(session, username)
            await set_password(session, COMMAND_LINE, u, password)
            return f"password of {u.username} set"

    click.echo(run_with_db(work))


@user.command("list")
def user_list() -> None:
    """List staff accounts: username, role, active."""
    from survey_service.domain.auth.services import list_users

    async def work(db: Database) -> list[str]:
        async with db.read() as session:
            return [
                f"{u.username}\t{u.role}\t{'active' if u.active else 'deactivated'}" for u in await list_users(session)
            ]

    for line in run_with_db(work):
        click.echo(line)


@main.group()
def token() -> None:
    """API tokens for scripts (Authorization: Bearer)."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="API token", show_default=True, help="What the token is for.")
def token_create(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it (only this once; it is stored hashed)."""
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import create_token

    async def work(db: Database) -> tuple[str, str]:
        async with db.write() as session:
            row, secret = await create_token(session, COMMAND_LINE, username, name)
            return str(row.id), secret

    token_id, secret = run_with_db(work)
    click.echo(f"token id {token_id} (for revoking); the token, shown only now:", err=True)
    click.echo(secret)


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke an API token by its id (see `token list`)."""
    import uuid

    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.auth.services import revoke_token

    try:
        parsed = uuid.UUID(token_id)
    except ValueError:
        _fail(ValueError(f"{token_id!r} is not a token id"))

    async def work(db: Database) -> str:
        async with db.write() as session:
            await revoke_token(session, COMMAND_LINE, parsed)
            return f"token {parsed} revoked"

    click.echo(run_with_db(work))


@token.command("list")
@click.argument("username", required=False)
def token_list(username: str | None) -> None:
    """List API tokens (id, user, name, status), of one account or all."""
    from survey_service.domain.auth.services import list_tokens

    async def work(db: Database) -> list[str]:
        async with db.read() as session:
            return [
                f"{t.id}\t{u}\t{t.name}\t{'revoked' if t.revoked_at else 'active'}"
                for t, u in await list_tokens(session, username)
            ]

    for line in run_with_db(work):
        click.echo(line)


def _register_results_commands() -> None:
    from survey_service.results.commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register_results_commands()

if __name__ == "__main__":
    main()
