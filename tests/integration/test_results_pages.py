"""The staff Results page: plans and targets, margins and imports as uploads, reports and exports, each
behind its permission."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import AuditEvent, PlanTarget
from tests.helpers import ORACLE, ensure_csrf, login, post_form, staff_user, synthetic_wave


async def _upload(client: httpx.AsyncClient, path: str, name: str, body: bytes, **fields: str) -> httpx.Response:
    token = await ensure_csrf(client)
    return await client.post(path, data={"_csrf_token": token, **fields}, files={"file": (name, body, "text/csv")})


async def test_an_admin_runs_the_annual_results_from_the_staff_page(client: httpx.AsyncClient, db: Database) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    await staff_user(db, "ada", "admin")
    await login(client, "ada")
    page = await client.get("/staff/results/")
    assert page.status_code == 200 and "syn-1" in page.text and 'href="/staff/results"' in page.text
    created = await post_form(
        client,
        "/staff/results/plans",
        {"slug": "kk", "name": "Kaikkien Kouvola 2023–2025", "start_year": "2023", "end_year": "2025"},
    )
    assert created.status_code == 303
    assert (
        await post_form(client, "/staff/results/plans/kk/waves", {"survey": "syn-1", "baseline": "yes"})
    ).status_code == 303
    target = await post_form(
        client,
        "/staff/results/plans/kk/targets",
        {"item": "BEL", "direction": "increase", "value": "70 %", "year": "2025"},
    )
    assert target.status_code == 303
    imported = await _upload(
        client, "/staff/results/syn-1/imports", "w1.csv", (ORACLE / "wave1.csv").read_bytes(), mode="paper"
    )
    assert imported.status_code == 303 and imported.headers["location"] == "/staff/results/?done=import"
    refused = await _upload(client, "/staff/results/syn-1/imports", "bad.csv", b"age,BEL\n18_29,7\n")
    assert refused.status_code == 422
    assert "row 2, column BEL: &#39;7&#39; is not one of the choices" in refused.text
    margins = await _upload(client, "/staff/results/syn-1/margins", "m.csv", (ORACLE / "margins.csv").read_bytes())
    assert margins.status_code == 303
    page = await client.get("/staff/results/", params={"done": "margins"})
    assert "raking: age, area, gender, lang" in page.text and "The margins were checked and saved." in page.text
    assert "Kaikkien Kouvola 2023–2025 (2023–2025)" in page.text and "syn-1 (baseline)" in page.text
    report = await client.get("/staff/results/syn-1/report", params={"lang": "en"})
    assert report.status_code == 200 and "Headline indicators" in report.text
    pdf = await client.get("/staff/results/syn-1/report", params={"format": "pdf", "lang": "sv"})
    assert pdf.content.startswith(b"%PDF-")
    export = await client.get("/staff/results/syn-1/export", params={"format": "csv"})
    assert export.status_code == 200 and export.content.decode("utf-8-sig").count("\n") == 1801
    async with db.read() as session:
        target_row = (await session.scalars(select(PlanTarget))).one()
        actions = {(e.actor, e.channel, e.action) for e in await session.scalars(select(AuditEvent))}
    assert (target_row.value, target_row.year) == (0.7, 2025)
    assert {
        ("ada", "web", "responses.import"),
        ("ada", "web", "margins.set"),
        ("ada", "web", "responses.export"),
    } <= actions


async def test_analysts_see_results_but_no_forms_and_designers_see_no_results(
    client: httpx.AsyncClient, db: Database
) -> None:
    await synthetic_wave(db, "syn-1", 2023)
    await staff_user(db, "anna", "analyst")
    await login(client, "anna")
    page = await client.get("/staff/results/")
    assert page.status_code == 200 and "Export responses" in page.text and "Create a plan" not in page.text
    refused = await post_form(
        client, "/staff/results/plans", {"slug": "kk", "name": "x", "start_year": "2023", "end_year": "2024"}
    )
    assert refused.status_code == 403
    await post_form(client, "/staff/logout")
    await staff_user(db, "dora", "designer")
    await login(client, "dora")
    assert (await client.get("/staff/results/")).status_code == 403
