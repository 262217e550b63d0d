"""The staff API of plans, margins, imports and exports, over HTTP (routes declare their access rule;
the staff guard enforces it once it is installed)."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import AuditEvent
from survey_service.jobs.runner import run_job
from survey_service.settings import Settings
from tests.helpers import ORACLE, api_token, staff_user, synthetic_wave


async def _bearers(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """Authorization headers of a designer (plans, imports) and an analyst (margins, targets, results, exports)."""
    out = []
    for name, role in (("dora", "designer"), ("anna", "analyst")):
        await staff_user(db, name, role)
        out.append({"Authorization": f"Bearer {await api_token(db, name)}"})
    return out[0], out[1]


async def test_plan_api_creates_plans_and_sets_targets(client: httpx.AsyncClient, db: Database) -> None:
    designer, analyst = await _bearers(db)
    assert (await client.get("/api/v1/plans")).status_code == 401
    refused = await client.post(
        "/api/v1/plans",
        json={"slug": "kk", "name": "x", "start_year": 2023, "end_year": 2025},
        headers=analyst,
    )
    assert refused.status_code == 403
    client.headers.update(designer)
    created = await client.post(
        "/api/v1/plans", json={"slug": "kk", "name": "Kaikkien Kouvola 2023–2025", "start_year": 2023, "end_year": 2025}
    )
    assert created.status_code == 201, created.text
    await synthetic_wave(db, "syn-1", 2023)
    assert (await client.post("/api/v1/plans/kk/waves", json={"survey": "syn-1"})).status_code == 200
    # targets are the analysts' work (weights:write), not the designers'
    assert (await client.put("/api/v1/plans/kk/targets/BEL", json={"direction": "increase"})).status_code == 403
    client.headers.update(analyst)
    target = await client.put(
        "/api/v1/plans/kk/targets/BEL", json={"direction": "increase", "value": 0.7, "year": 2025}
    )
    assert target.json() == {"item": "BEL", "direction": "increase", "value": 0.7, "year": 2025}
    plan = (await client.get("/api/v1/plans/kk")).json()
    assert plan["baseline"] == "syn-1" and plan["waves"] == [{"survey": "syn-1", "year": 2023}]
    client.headers.update(designer)
    bad = await client.post("/api/v1/plans", json={"slug": "x1", "name": "x", "start_year": 2025, "end_year": 2023})
    assert bad.status_code == 400
    client.headers.update(analyst)
    unknown = await client.put("/api/v1/plans/kk/targets/NOPE", json={"direction": "increase"})
    assert unknown.status_code == 400 and "not an indicator" in unknown.json()["detail"]
    assert (await client.delete("/api/v1/plans/kk/targets/BEL")).status_code == 204


async def test_import_margins_and_exports_over_http(client: httpx.AsyncClient, db: Database) -> None:
    designer, analyst = await _bearers(db)
    client.headers.update(designer)
    await synthetic_wave(db, "syn-1", 2023)
    files = {"file": ("wave1.csv", (ORACLE / "wave1.csv").read_bytes(), "text/csv")}
    imported = await client.post("/api/v1/surveys/syn-1/imports", files=files)
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"survey": "syn-1", "imported": 1800, "mode": "import"}
    bad = await client.post(
        "/api/v1/surveys/syn-1/imports", files={"file": ("bad.csv", b"age,BEL\n18_29,7\n", "text/csv")}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["item"] == "row 2, column BEL"
    margins_csv = {"content": (ORACLE / "margins.csv").read_bytes(), "headers": {"content-type": "text/csv"}}
    assert (await client.put("/api/v1/surveys/syn-1/margins", **margins_csv)).status_code == 403
    assert (await client.get("/api/v1/surveys/syn-1/export")).status_code == 403
    client.headers.update(analyst)
    margins = await client.put(
        "/api/v1/surveys/syn-1/margins",
        content=(ORACLE / "margins.csv").read_bytes(),
        headers={"content-type": "text/csv"},
    )
    assert margins.status_code == 200, margins.text
    assert (await client.get("/api/v1/surveys/syn-1/margins")).json()["method"] == "raking"
    export = await client.get("/api/v1/surveys/syn-1/export", params={"format": "csv"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 1800
    sav = await client.get("/api/v1/surveys/syn-1/export", params={"format": "sav"})
    assert sav.status_code == 200
    assert sav.content[:4] == b"$FL2"
    codebook = await client.get("/api/v1/surveys/syn-1/export/codebook.csv")
    assert "BEL" in codebook.text
    assert (await client.get("/api/v1/surveys/syn-1/export", params={"format": "pdf"})).status_code == 400
    async with db.read() as session:
        audit = {
            (e.actor, e.channel, e.action, e.detail.get("format"))
            for e in await session.scalars(select(AuditEvent).where(AuditEvent.target == "syn-1"))
        }
    assert audit == {
        ("dora", "api", "responses.import", None),
        ("anna", "api", "margins.set", None),
        ("anna", "api", "responses.export", "csv"),
        ("anna", "api", "responses.export", "sav"),
    }


def test_every_results_route_declares_its_access_rule() -> None:
    from survey_service.app import create_app

    app = create_app()
    expected = {"results:read", "exports:create", "surveys:write", "weights:write"}
    seen = 0
    for route in app.routes:
        mine = route.path.startswith(("/api/v1/plans", "/staff/results")) or any(
            route.path.startswith(f"/api/v1/surveys/{{slug:str}}/{part}")
            for part in ("margins", "imports", "export", "report")
        )
        if not mine:
            continue
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            if "OPTIONS" in getattr(handler, "http_methods", ()):
                continue
            assert handler.opt.get("access") in expected, (route.path, handler)
            seen += 1
    assert seen >= 17


async def test_background_export_reports_progress_and_serves_the_file(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    designer, analyst = await _bearers(db)
    client.headers.update(designer)
    await synthetic_wave(db, "syn-1", 2023)
    files = {"file": ("wave1.csv", (ORACLE / "wave1.csv").read_bytes(), "text/csv")}
    assert (await client.post("/api/v1/surveys/syn-1/imports", files=files)).status_code == 201
    client.headers.update(analyst)
    started = await client.post("/api/v1/jobs/exports", json={"survey": "syn-1", "format": "dta"})
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == job["url"] == f"/api/v1/jobs/{job['id']}"
    assert job["status"] == "queued" and job["rows_total"] == 1800
    assert await run_job(settings, uuid.UUID(job["id"]), db) == "done"  # what a worker process runs
    job = (await client.get(job["url"])).json()
    assert job["status"] == "done" and job["rows_done"] == 1800, job
    got = await client.get(job["file_url"])
    assert got.status_code == 200 and len(got.content) > 10_000
    assert (await client.get("/api/v1/jobs/not-a-job")).status_code == 404
    missing = await client.post("/api/v1/jobs/exports", json={"survey": "nope", "format": "csv"})
    assert missing.status_code == 404
