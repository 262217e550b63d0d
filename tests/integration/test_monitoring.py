"""Response monitoring (API and page): counts per day, language and mode, invitations and response rates
per stratum; every count below 5 shown as "<5" and none recoverable from a shown total."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from sqlalchemy import insert

from survey_service.db.engine import Database
from survey_service.db.models import Invitation, Response, Survey
from tests.helpers import api_token, login, open_survey, staff_user

DAY1, DAY2 = date(2026, 3, 2), date(2026, 3, 3)


async def _responses(db: Database, survey: Survey, *groups: tuple[int, str, str, str, date]) -> None:
    """(how many, status, language, mode, day) -> rows, inserted directly."""
    rows: list[dict[str, Any]] = []
    for n, status, language, mode, day in groups:
        rows += [
            {
                "id": uuid.uuid4(),
                "survey_id": survey.id,
                "questionnaire_version_id": survey.questionnaire_version_id,
                "language": language,
                "mode": mode,
                "status": status,
                "answers": {},
                "started_on": day,
                "submitted_on": day if status == "complete" else None,
                "resume_hash": uuid.uuid4().hex if status == "partial" else None,
            }
            for _ in range(n)
        ]
    async with db.write() as session:
        await session.execute(insert(Response), rows)


async def _get(client: httpx.AsyncClient, db: Database, slug: str) -> dict[str, Any]:
    await staff_user(db, "reader", "analyst")
    r = await client.get(
        f"/api/v1/waves/{slug}/monitoring", headers={"Authorization": f"Bearer {await api_token(db, 'reader')}"}
    )
    assert r.status_code == 200, r.text
    return r.json()


def _no_line_reveals_a_withheld_count(rows: list[dict[str, Any]], totals: dict[str, Any]) -> None:
    table = [*rows, totals]
    lines = [[r["complete"], r["partial"], r["total"]] for r in table]
    lines += [[r[f] for r in table] for f in ("complete", "partial", "total")]
    for line in lines:
        assert sum(not isinstance(c, int) for c in line) != 1, line


async def test_small_counts_are_shown_as_under_five_and_cannot_be_recovered(
    client: httpx.AsyncClient, db: Database
) -> None:
    survey = await open_survey(db)
    await _responses(
        db,
        survey,
        (30, "complete", "fi", "web", DAY1),
        (12, "complete", "en", "web", DAY2),
        (3, "complete", "fi", "paper", DAY2),
        (2, "partial", "fi", "web", DAY2),
    )
    m = await _get(client, db, survey.slug)
    assert m["min_count"] == 5 and "<5" in m["note"]
    assert m["invitations"] is None
    by_mode = {r["label"]: r for r in m["by_mode"]}
    assert by_mode["paper"]["complete"] == "<5" and by_mode["paper"]["partial"] == "<5"
    assert m["totals"]["partial"] == "<5"
    by_language = {r["label"]: r for r in m["by_language"]}
    assert list(by_language) == ["fi", "en"]
    assert by_language["en"]["partial"] == "<5"  # zero is below 5 too
    assert [r["label"] for r in m["by_day"]] == ["2026-03-02", "2026-03-03"]
    assert m["by_day"][0]["complete"] in (30, "hidden")
    for table in ("by_day", "by_language", "by_mode"):
        _no_line_reveals_a_withheld_count(m[table], m["totals"])
        for row in m[table]:
            for cell in (row["complete"], row["partial"], row["total"]):
                assert cell in ("<5", "hidden") or cell >= 5
    # the shared totals are the same in every table, and they are the true counts where shown
    assert m["totals"]["total"] in (47, "hidden")


async def test_invitation_waves_show_response_rates_per_stratum_only_where_both_counts_are_shown(
    client: httpx.AsyncClient, db: Database
) -> None:
    survey = await open_survey(db, access="invitation")
    rows = []
    for area, language, sent, answered in (("north", "fi", 20, 8), ("south", "sv", 10, 2), ("east", None, 3, 0)):
        for i in range(sent):
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "survey_id": survey.id,
                    "token_hash": uuid.uuid4().hex,
                    "code_hash": uuid.uuid4().hex,
                    "language": language,
                    "strata": {"area": area},
                    "status": "completed" if i < answered else "unused",
                }
            )
    async with db.write() as session:
        await session.execute(insert(Invitation), rows)
    m = await _get(client, db, survey.slug)
    inv = m["invitations"]
    assert (inv["sent"], inv["completed"], inv["rate"]) == (33, 10, 0.303)
    area = {r["value"]: r for r in inv["by_stratum"] if r["stratum"] == "area"}
    assert area["north"]["sent"] == 20 and area["north"]["completed"] in (8, "hidden")
    assert area["south"]["completed"] == "<5" and area["south"]["rate"] is None
    assert area["east"]["sent"] == "<5" and area["east"]["rate"] is None
    if area["north"]["completed"] == 8:
        assert area["north"]["rate"] == 0.4
    languages = [r["value"] for r in inv["by_stratum"] if r["stratum"] == "language"]
    assert languages == ["fi", "sv", "(none)"]
    # sent = completed + not completed in each row: with one of them withheld, the other must be too
    for r in inv["by_stratum"]:
        assert not (isinstance(r["sent"], int) and isinstance(r["completed"], int)) or r["rate"] is not None


async def test_the_monitoring_page_shows_the_note_and_small_counts_as_under_five(
    client: httpx.AsyncClient, db: Database
) -> None:
    survey = await open_survey(db, access="invitation")
    await _responses(db, survey, (7, "complete", "fi", "paper", DAY1), (1, "complete", "en", "interview", DAY1))
    await staff_user(db, "designer", "designer")
    await login(client, "designer")
    r = await client.get(f"/staff/surveys/{survey.slug}/monitoring")
    assert r.status_code == 200
    assert "Counts below 5 are shown as &lt;5" in r.text
    assert "Interview" in r.text and "&lt;5" in r.text
    assert ">1<" not in r.text  # the single interview is never shown as a number
    missing = await client.get("/staff/surveys/nope/monitoring")
    assert missing.status_code == 404
