"""Questionnaires: validate, load the shipped ones, import, export and publish versions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from survey_service.cli.base import run_with_db
from survey_service.db.engine import Database
from survey_service.settings import get_settings


@click.group()
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


def version_ref(ref: str) -> tuple[str, int | None]:
    """``SLUG`` or ``SLUG@VERSION``."""
    slug, _, number = ref.partition("@")
    if number and not number.isdigit():
        raise click.BadParameter(f"expected SLUG or SLUG@VERSION, not {ref!r}")
    return slug, int(number) if number else None


@questionnaire.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish at once (every string must be translated).")
@click.option("--language", "unnamed", default=None, help="XLSForm: the language of plain label columns (a code).")
@click.option(
    "--language-code", "codes", multiple=True, metavar="NAME=CODE", help="XLSForm: the code of a language name."
)
def import_definition(path: Path, publish: bool, unnamed: str | None, codes: tuple[str, ...]) -> None:
    """Import a definition as a draft (or publish it): a YAML folder or file, or an XLSForm .xlsx.

    A definition identical to the latest version changes nothing (exit 0). For an XLSForm, what was mapped
    (languages, sections, ignored columns, skipped rows) is printed first.
    """
    from survey_service.domain.audit.services import COMMAND_LINE
    from survey_service.domain.questionnaires.services import store
    from survey_service.questionnaire.loader import DefinitionError, load
    from survey_service.questionnaire.xlsform import read_xlsform

    try:
        if path.suffix.lower() == ".xlsx":
            language_codes = dict(code.partition("=")[::2] for code in codes)
            q, summary = read_xlsform(
                path.read_bytes(), str(path), complete=publish, unnamed_language=unnamed, language_codes=language_codes
            )
            click.echo(f"languages: {', '.join(f'{c} ({n})' for c, n in summary.languages.items())}")
            for label, lines in (
                ("section", summary.sections),
                ("ignored", summary.ignored_columns),
                ("skipped", summary.skipped_rows),
                ("limit", summary.notes),
            ):
                for line in lines:
                    click.echo(f"{label}: {line}")
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

    slug, number = version_ref(ref)

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

    slug, number = version_ref(ref)
    if number is None:
        raise click.BadParameter("give the version: SLUG@VERSION")

    async def work(db: Database) -> str:
        async with db.write() as session:
            v = await publish(session, slug, number, COMMAND_LINE)
            return f"{slug}: version {v.number} published"

    click.echo(run_with_db(work))
