"""``survey-service feedback purge`` and ``feedback counts`` as cron and analysts run them."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import select

from survey_service.db.base import today
from survey_service.db.engine import Database
from survey_service.db.models import FeedbackCase
from survey_service.domain.feedback import services
from tests.integration.test_cli import run


async def closed_case(db: Database, text: str, days_ago: int) -> str:
    async with db.write() as session:
        submission = services.check_submission(language="sv", topic="housing", kind="other", text=text)
        await services.submit(session, submission)
        case = (await session.scalars(select(FeedbackCase).where(FeedbackCase.text == text))).one()
        case.status, case.closed_on = "closed", today() - timedelta(days=days_ago)
        return str(case.id)


async def texts(db: Database) -> dict[str, str | None]:
    async with db.read() as session:
        return {str(c.id): c.text for c in await session.scalars(select(FeedbackCase))}


def test_feedback_commands_have_help() -> None:
    for args in (["feedback", "purge"], ["feedback", "counts"]):
        result = run([*args, "--help"])
        assert result.returncode == 0 and "Usage:" in result.stdout, result.stderr


async def test_purge_lists_with_dry_run_then_purges_once(db: Database, database_url: str) -> None:
    old = await closed_case(db, "gammal", days_ago=800)
    recent = await closed_case(db, "ny", days_ago=40)
    env = {"SURVEY_DATABASE_URL": database_url}

    dry = run(["feedback", "purge", "--dry-run"], env)  # default retention: 24 months
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert lines[0].startswith(f"would purge case {old} (closed ")
    assert lines[-1].startswith("1 case(s) to purge: closed on or before ") and lines[-1].endswith("(24 months)")
    assert await texts(db) == {old: "gammal", recent: "ny"}

    configured = run(["feedback", "purge"], {**env, "SURVEY_FEEDBACK_RETENTION_MONTHS": "1"})
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.splitlines()[-1].startswith("2 case(s) purged")
    assert await texts(db) == {old: None, recent: None}

    again = run(["feedback", "purge", "--older-than", "1"], {**env, "SURVEY_FEEDBACK_RETENTION_MONTHS": "60"})
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [again.stdout.splitlines()[-1]]
    assert again.stdout.startswith("0 case(s) purged") and again.stdout.rstrip().endswith("(1 months)")


async def test_counts_print_a_suppressed_table_without_text(db: Database, database_url: str) -> None:
    for i in range(6):
        await closed_case(db, f"viesti {i}", days_ago=0)
    await closed_case(db, "Hei Matti", days_ago=0)
    year = str(today().year)
    env = {"SURVEY_DATABASE_URL": database_url}
    result = run(["feedback", "counts", "--year", year], env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 37 * 11
    cell = {(r["topic"], r["kind"], r["language"]): r["count"] for r in rows}
    assert cell["housing", "other", "sv"] == "7"
    assert cell["all", "all", "all"] == "7"
    assert "Matti" not in result.stdout and "viesti" not in result.stdout

    as_json = json.loads(run(["feedback", "counts", "--year", year, "--format", "json"], env).stdout)
    assert (as_json["threshold"], as_json["sensitive_threshold"], len(as_json["cells"])) == (5, 10, 407)
