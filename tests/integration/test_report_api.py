"""The report over HTTP (JSON, HTML, PDF, result tables) and the staff report page."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.domain.imports.services import import_responses
from survey_service.domain.weighting.services import set_margins
from tests.helpers import ORACLE, api_token, login, staff_user, synthetic_wave


async def _analyst(client: httpx.AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "analyst")
    client.headers["Authorization"] = f"Bearer {await api_token(db, 'anna')}"


async def _wave(db: Database) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    async with db.write() as session:
        await import_responses(session, "syn-1", ORACLE / "wave1.csv")
    async with db.write() as session:
        await set_margins(session, "syn-1", (ORACLE / "margins.csv").read_bytes())


async def test_report_formats_over_http(client: httpx.AsyncClient, db: Database) -> None:
    await _wave(db)
    assert (await client.get("/api/v1/surveys/syn-1/report")).status_code == 401
    await staff_user(db, "dora", "designer")
    designer = {"Authorization": f"Bearer {await api_token(db, 'dora')}"}
    assert (await client.get("/api/v1/surveys/syn-1/report", headers=designer)).status_code == 403
    await _analyst(client, db)
    report = (await client.get("/api/v1/surveys/syn-1/report", params={"lang": "en"})).json()
    assert report["survey"] == "syn-1" and report["weighting"]["method"] == "raking"
    assert {"estimates", "tests", "changes", "scales"} <= report.keys()
    html = await client.get("/api/v1/surveys/syn-1/report", params={"format": "html", "lang": "sv"})
    assert html.headers["content-type"].startswith("text/html") and '<html lang="sv"' in html.text
    pdf = await client.get("/api/v1/surveys/syn-1/report", params={"format": "pdf"})
    assert pdf.content.startswith(b"%PDF-")
    tables = await client.get("/api/v1/surveys/syn-1/report", params={"format": "csv", "lang": "en"})
    rows = list(csv.DictReader(io.StringIO(tables.content.decode("utf-8-sig"))))
    bel = next(r for r in rows if r["item"] == "BEL" and r["statistic"] == "indicator" and not r["group_variable"])
    assert bel["question"].startswith("How strongly") and bel["suppressed"] == "False"
    assert (await client.get("/api/v1/surveys/syn-1/report", params={"lang": "de"})).status_code == 400
    assert (await client.get("/api/v1/surveys/nope/report")).status_code == 404


async def test_staff_report_page_links_its_stylesheet_under_the_strict_csp(
    client: httpx.AsyncClient, db: Database
) -> None:
    await _wave(db)
    anonymous = await client.get("/staff/results/syn-1/report", params={"lang": "fi"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/staff/login")
    await staff_user(db, "anna", "analyst")
    await login(client, "anna")
    page = await client.get("/staff/results/syn-1/report", params={"lang": "fi"})
    assert page.status_code == 200
    assert "<style>" not in page.text and 'href="/static/css/report.css"' in page.text
    assert "style-src 'self'" in page.headers["content-security-policy"]
    css = await client.get("/static/css/report.css")
    assert css.status_code == 200 and "@media print" in css.text


async def test_margins_that_no_longer_fit_the_respondents_are_a_clear_error(
    client: httpx.AsyncClient, db: Database
) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    await staff_user(db, "dora", "designer")
    client.headers["Authorization"] = f"Bearer {await api_token(db, 'dora')}"
    async with db.write() as session:
        await set_margins(session, "syn-1", (ORACLE / "margins.csv").read_bytes())  # before fielding: not checked
    rows = (ORACLE / "wave1.csv").read_text().splitlines()
    body = "\n".join([rows[0], *[r for r in rows[1:200] if ",domestic," in r]]) + "\n"
    files = {"file": ("few.csv", body.encode(), "text/csv")}
    assert (await client.post("/api/v1/surveys/syn-1/imports", files=files)).status_code == 201
    await _analyst(client, db)
    got = await client.get("/api/v1/surveys/syn-1/report")
    assert got.status_code == 422
    problem = got.json()
    assert "margins do not fit the wave's respondents" in problem["detail"]
    assert {
        "item": "lang = foreign",
        "message": "no respondent in this category: merge it with another category",
    } in problem["errors"]


async def test_response_rates_by_stratum_come_from_invitations(db: Database) -> None:
    from sqlalchemy import update

    from survey_service.db.models import Invitation
    from survey_service.domain.invitations.services import create_invitations
    from survey_service.domain.reports.services import response_rates
    from survey_service.domain.surveys.services import get_survey

    await synthetic_wave(db, "syn-1", 2023)
    async with db.write() as session:
        survey = await get_survey(session, "syn-1")
        survey.access = "invitation"
        strata = [{"area": "north"}, {"area": "north"}, {"area": "south"}, {"area": "south"}]
        await create_invitations(session, survey, 4, strata)
    async with db.write() as session:
        ids = list(
            await session.scalars(select(Invitation.id).order_by(Invitation.strata["area"].as_string(), Invitation.id))
        )
        await session.execute(update(Invitation).where(Invitation.id.in_(ids[:1] + ids[2:])).values(status="completed"))
    async with db.read() as session:
        rates = await response_rates(session, await get_survey(session, "syn-1"))
    got = {(r.stratum_variable, r.stratum): (r.invited, r.responded, r.rate) for r in rates}
    # counts below 5 are published as "<5", as on the monitoring pages, and then no rate is shown
    assert got == {
        (None, None): ("<5", "<5", None),
        ("area", "north"): ("<5", "<5", None),
        ("area", "south"): ("<5", "<5", None),
    }
