"""Resident feedback: purging closed cases' texts and disclosure-controlled counts."""

from __future__ import annotations

import sys

import click

from survey_service.cli.base import run_with_db
from survey_service.db.engine import Database
from survey_service.settings import get_settings


@click.group()
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
