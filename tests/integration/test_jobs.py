"""Jobs: a report job's file is the report computed directly; only the requester or an administrator
sees a job; a real worker process runs, cancels and survives being killed; a queued job survives a
restart of the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import anyio
import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import update

from survey_service.db.base import utcnow
from survey_service.db.engine import Database
from survey_service.db.models import Job
from survey_service.domain.audit.services import COMMAND_LINE, Actor
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.imports.services import check_import, import_file, import_in_batches
from survey_service.domain.jobs import services, starts
from survey_service.domain.reports.services import make_report, report_bytes, report_input
from survey_service.jobs.runner import run_job
from survey_service.settings import Settings
from tests.helpers import ORACLE, ROOT, api_token, count_rows, login, post_form, staff_user, synthetic_wave
from tests.live import free_port

WAVE = "syn-1"


async def _wave(db: Database, copies: int = 1, tmp: Path | None = None) -> int:
    """The synthetic wave with its 1,800 oracle responses (``copies`` times: 1,800 x copies rows)."""
    await synthetic_wave(db, WAVE, 2023)
    path = ORACLE / "wave1.csv"
    if copies > 1:
        assert tmp is not None
        lines = path.read_text().splitlines()
        path = tmp / "many.csv"
        path.write_text("\n".join([lines[0], *(lines[1:] * copies)]) + "\n")
    return await import_file(db, WAVE, path)


async def _bearer(db: Database, name: str, role: str) -> dict[str, str]:
    await staff_user(db, name, role)
    return {"Authorization": f"Bearer {await api_token(db, name)}"}


def _pdf_text(data: bytes) -> str:
    import io

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("fmt", ["json", "html", "csv", "pdf"])
async def test_a_report_jobs_file_equals_the_directly_computed_report(
    client: httpx.AsyncClient, db: Database, settings: Settings, fmt: str
) -> None:
    await _wave(db)
    analyst = await _bearer(db, "anna", "analyst")
    started = await client.post(
        "/api/v1/jobs/reports", json={"survey": WAVE, "format": fmt, "lang": "sv"}, headers=analyst
    )
    assert started.status_code == 202, started.text
    job_id = uuid.UUID(started.json()["id"])
    assert await run_job(settings, job_id, db) == "done"
    job = (await client.get(started.headers["location"], headers=analyst)).json()
    got = await client.get(job["file_url"], headers=analyst)
    assert got.status_code == 200 and job["file_name"] == f"{WAVE}-report-sv.{fmt}"
    async with db.read() as session:
        direct = report_bytes(make_report(await report_input(session, WAVE, "sv")), fmt)
    if fmt == "pdf":  # the PDF's metadata carry the time it was made: compare what it says
        assert _pdf_text(got.content) == _pdf_text(direct)
    else:
        assert got.content == direct
    path = services.folder_of(settings, job_id) / job["file_name"]
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700


async def test_only_the_requester_or_an_administrator_may_see_download_or_cancel_a_job(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    await _wave(db)
    anna, bob = await _bearer(db, "anna", "analyst"), await _bearer(db, "bob", "analyst")
    admin = await _bearer(db, "ada", "admin")
    queued = await client.post("/api/v1/jobs/reports", json={"survey": WAVE, "format": "csv"}, headers=anna)
    url = queued.headers["location"]
    assert (await client.post(f"{url}/cancel", headers=bob)).status_code == 403
    assert await run_job(settings, uuid.UUID(queued.json()["id"]), db) == "done"
    assert (await client.get(f"{url}/file", headers=anna)).status_code == 200
    refused = await client.get(f"{url}/file", headers=bob)
    assert refused.status_code == 403 and "only the person who started" in refused.json()["detail"]
    assert (await client.get(url, headers=bob)).status_code == 403
    assert (await client.get(f"{url}/file", headers=admin)).status_code == 200
    assert [j["url"] for j in (await client.get("/api/v1/jobs", headers=anna)).json()] == [url]
    assert (await client.get("/api/v1/jobs", headers=bob)).json() == []
    assert [j["owner"] for j in (await client.get("/api/v1/jobs", headers=admin)).json()] == ["anna"]
    designer = await _bearer(db, "dora", "designer")  # no results:read: cannot start a report at all
    assert (await client.post("/api/v1/jobs/reports", json={"survey": WAVE}, headers=designer)).status_code == 403


async def test_a_failed_job_says_why_and_leaves_no_file(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    await synthetic_wave(db, WAVE, 2023)  # no responses: the report cannot be made
    anna = await _bearer(db, "anna", "analyst")
    started = await client.post("/api/v1/jobs/reports", json={"survey": WAVE, "format": "pdf"}, headers=anna)
    job_id = uuid.UUID(started.json()["id"])
    assert await run_job(settings, job_id, db) == "failed"
    job = (await client.get(started.headers["location"], headers=anna)).json()
    assert job["status"] == "failed" and "has no complete responses" in job["message"]
    assert job["file_url"] is None and (await client.get(f"{job['url']}/file", headers=anna)).status_code == 409
    folder = services.folder_of(settings, job_id)
    assert not folder.exists() or list(folder.iterdir()) == []


async def test_a_job_whose_worker_died_is_failed_after_its_last_attempt(db: Database, settings: Settings) -> None:
    await _wave(db)
    actor = Actor("anna", "api")
    job = await starts.report(db, settings, actor, WAVE, "csv", "fi")
    long_ago = utcnow() - timedelta(seconds=settings.job_stale_seconds + 1)
    async with db.write() as session:
        await session.execute(
            update(Job).where(Job.id == job.id).values(status="running", attempts=2, heartbeat_at=long_ago)
        )
    assert await services.reap(db, settings) == (0, 1)
    async with db.read() as session:
        row = await services.get_job(session, job.id)
    assert row.status == "failed" and row.message == services.WORKER_DIED


# -- a real worker process -------------------------------------------------------------------------------


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SURVEY_DATABASE_URL": settings.database_url,
        "SURVEY_VAR_DIR": str(settings.var_dir),
        "SURVEY_SECRET_KEY": "live-test",
        "SURVEY_RATE_LIMIT_PER_HOUR": "0",
        "SURVEY_LOG_LEVEL": "WARNING",
        "SURVEY_JOB_STALE_SECONDS": "5",
        **extra,
    }


@contextmanager
def _process(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "survey_service.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=None,  # shown by pytest when a test fails
        start_new_session=True,  # its own process group: killing it kills what it started
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


async def _job(db: Database, job_id: uuid.UUID) -> Job:
    async with db.read() as session:
        return await services.get_job(session, job_id)


async def _wait_for(db: Database, job_id: uuid.UUID, done: set[str], seconds: float = 120, rows: int = 0) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = await _job(db, job_id)
        if job.status in done and job.rows_done >= rows:
            return job
        if job.status in services.FINISHED:
            break
        await anyio.sleep(0.1)
    raise AssertionError(f"job {job_id} is {job.status} ({job.rows_done} rows, {job.message}), not {done}")


async def test_cancel_stops_a_running_export_and_leaves_no_partial_file(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    n = await _wave(db, copies=12, tmp=tmp_path)
    anna = await staff_user(db, "anna", "analyst")
    job = await starts.export(db, settings, Actor("anna", "api", anna.id), WAVE, "xlsx", None)
    assert job.rows_total == n == 21_600
    with _process(["worker"], _env(settings)):
        await _wait_for(db, job.id, {"running"}, rows=5000)  # rows are being written...
        scratch = services.jobs_root(settings) / "tmp"
        assert list(scratch.glob("*/openpyxl.*"))  # ...into the worker's temporary files
        staff = Staff(anna.id, "anna", "analyst", frozenset(), "api")
        await services.cancel(db, staff, job.id)
        cancelled = await _wait_for(db, job.id, {"cancelled", "done", "failed"}, seconds=30)
        assert cancelled.status == "cancelled" and cancelled.rows_done < n
        folder = services.folder_of(settings, job.id)
        assert list(folder.iterdir()) == []
        assert list(scratch.glob("*/openpyxl.*")) == []


async def test_killing_the_worker_mid_job_leaves_the_job_retried_never_stuck(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    n = await _wave(db, copies=12, tmp=tmp_path)
    job = await starts.export(db, settings, Actor("anna", "api"), WAVE, "xlsx", None)
    env = _env(settings)
    with _process(["worker"], env) as first:
        await _wait_for(db, job.id, {"running"}, rows=5000)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    await anyio.sleep(1.5)
    assert (await _job(db, job.id)).status == "running"  # nobody is left to say otherwise...
    with _process(["worker"], env):  # ...until a worker notices the silence and runs it again
        finished = await _wait_for(db, job.id, {"done", "failed", "cancelled"}, seconds=180)
    assert finished.status == "done" and finished.attempts == 2 and finished.rows_done == n
    from openpyxl import load_workbook

    book = load_workbook(services.folder_of(settings, job.id) / f"{WAVE}.xlsx", read_only=True)
    assert sum(1 for _ in book["data"].iter_rows()) == n + 1  # the header and every response


async def test_a_queued_job_survives_a_restart_of_the_server(db: Database, settings: Settings) -> None:
    await _wave(db)
    anna = await _bearer(db, "anna", "analyst")
    env = _env(settings)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, headers=anna, timeout=30) as client:
        with _process(["serve", "--port", str(port), "--no-jobs"], env):
            await _until_up(client)
            started = await client.post("/api/v1/jobs/reports", json={"survey": WAVE, "format": "json"})
            assert started.status_code == 202, started.text
            url = started.headers["location"]
            await anyio.sleep(1)
            assert (await client.get(url)).json()["status"] == "queued"  # no worker runs with --no-jobs
        with _process(["serve", "--port", str(port)], env):  # as `make run` does: a worker comes with it
            await _until_up(client)
            job_id = uuid.UUID(started.json()["id"])
            finished = await _wait_for(db, job_id, {"done", "failed"}, seconds=120)
            assert finished.status == "done", finished.message
            got = await client.get(f"{url}/file")
    async with db.read() as session:
        assert got.content == report_bytes(make_report(await report_input(session, WAVE, "fi")), "json")


async def _until_up(client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await anyio.sleep(0.2)
    raise AssertionError("the server did not start")


# -- staff pages -----------------------------------------------------------------------------------------


async def test_staff_page_starts_a_job_shows_its_progress_and_then_its_file(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    await _wave(db)
    await staff_user(db, "anna", "analyst")
    await login(client, "anna")
    index = await client.get("/staff/jobs")
    assert index.status_code == 200 and 'action="/staff/jobs/exports"' in index.text
    started = await post_form(client, "/staff/jobs/exports", {"survey": WAVE, "format": "csv"})
    assert started.status_code == 303
    page = await client.get(started.headers["location"])
    assert page.status_code == 200
    assert '<meta http-equiv="refresh"' in page.text  # follows the job without JavaScript
    assert "<progress" in page.text and 'value="0"' in page.text and "Waiting" in page.text
    job_id = uuid.UUID(started.headers["location"].rsplit("/", 1)[1])
    assert await run_job(settings, job_id, db) == "done"
    done = await client.get(started.headers["location"])
    assert '<meta http-equiv="refresh"' not in done.text and f"/staff/jobs/{job_id}/file" in done.text
    got = await client.get(f"/staff/jobs/{job_id}/file")
    assert got.status_code == 200 and got.content.count(b"\n") == 1801  # the header and 1,800 responses
    status = (await client.get(f"/staff/jobs/{job_id}/status")).json()
    assert status["status"] == "done" and status["rows_done"] == 1800
    refused = await post_form(client, "/staff/jobs/exports", {"survey": "no-such-wave", "format": "csv"})
    assert refused.status_code == 404 and 'href="#export-survey"' in refused.text

    await staff_user(db, "bob", "analyst")
    await post_form(client, "/staff/logout")
    await login(client, "bob")
    assert (await client.get(f"/staff/jobs/{job_id}/file")).status_code == 403
    assert f"/staff/jobs/{job_id}" not in (await client.get("/staff/jobs")).text


# -- imports ---------------------------------------------------------------------------------------------


async def test_an_import_job_checks_the_whole_file_then_inserts_it(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    await synthetic_wave(db, WAVE, 2023)
    designer = await _bearer(db, "dora", "designer")
    files = {"file": ("wave1.csv", (ORACLE / "wave1.csv").read_bytes(), "text/csv")}
    started = await client.post("/api/v1/jobs/imports", params={"survey": WAVE}, files=files, headers=designer)
    assert started.status_code == 202, started.text
    assert await run_job(settings, uuid.UUID(started.json()["id"]), db) == "done"
    job = (await client.get(started.headers["location"], headers=designer)).json()
    assert job["message"] == f"1800 responses imported into {WAVE}" and job["rows_done"] == 1800
    assert await count_rows(db, "response") == 1800
    bad = (ORACLE / "wave1.csv").read_text().replace("\n30_44,", "\n99_99,", 1).encode()
    files = {"file": ("bad.csv", bad, "text/csv")}
    started = await client.post("/api/v1/jobs/imports", params={"survey": WAVE}, files=files, headers=designer)
    assert await run_job(settings, uuid.UUID(started.json()["id"]), db) == "failed"
    job = (await client.get(started.headers["location"], headers=designer)).json()
    assert "row" in job["message"] and await count_rows(db, "response") == 1800  # nothing of it stored


async def test_an_import_that_stops_midway_removes_the_rows_it_inserted(db: Database, tmp_path: Path) -> None:
    await _wave(db)  # 1,800 responses already there
    await synthetic_wave(db, "syn-2", 2024)
    path = tmp_path / "many.csv"
    lines = (ORACLE / "wave1.csv").read_text().splitlines()
    path.write_text("\n".join([lines[0], *(lines[1:] * 3)]) + "\n")  # 5,400 rows: three batches
    async with db.read() as session:
        checked = await check_import(session, "syn-2", path, actor=COMMAND_LINE)

    def stop_after_the_first_batch(done: int) -> None:
        raise RuntimeError(f"stopped after {done} rows")

    ledger = tmp_path / "input.inserted"
    with pytest.raises(RuntimeError, match="stopped after 2000 rows"):
        await import_in_batches(db, checked, ledger, progress=stop_after_the_first_batch)
    assert await count_rows(db, "response") == 1800 and not ledger.exists()
    assert await import_in_batches(db, checked, ledger) == 5400
    assert await count_rows(db, "response") == 1800 + 5400
