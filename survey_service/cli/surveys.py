"""Survey waves: the demo wave, creating, closing, reopening and listing waves."""

from __future__ import annotations

from datetime import datetime

import click

from survey_service.cli.base import run_with_db
from survey_service.cli.questionnaires import version_ref
from survey_service.db.engine import Database


@click.group()
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

    qslug, number = version_ref(questionnaire_ref)
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
