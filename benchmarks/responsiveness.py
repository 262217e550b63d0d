"""Resident responsiveness while staff run heavy jobs: reports, exports and imports off the request path.

usage: python benchmarks/responsiveness.py [--responses 20000] [--import-rows 100000] [--idle 15] [--postgres]

Starts the service as `make run` does (`survey-service serve`: SQLite, with the embedded job worker), or
with --postgres on a fresh PostgreSQL database with the production engine (huey on Redis) and a separate
`survey-service worker`, fills a wave with N synthetic responses, then probes a resident page and the
submission API every 50 ms: first with nothing else running, then while an analyst asks for the PDF
report and an XLSX export of that wave and a 100,000-row response import, all at once. Prints the
resident p50/p99/max with no jobs and during the jobs, their ratio, and each job's queue wait and run
time. Prints figures; asserts nothing (every job must end "done", or it says so).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.submit import (  # noqa: E402
    DEFAULT_PG,
    PYTHON,
    SURVEY,
    cli,
    free_port,
    fresh_postgres,
    page_url,
    valid_body,
    wait_ready,
)

BENCH_WAVE = "bench-2026"
IMPORT_WAVE = "bench-import-2026"
PROBE_EVERY = 0.05
REDIS_URL = "redis://127.0.0.1:6379/2"


async def fill(url: str, n: int, import_rows: int, import_path: Path) -> None:
    """Wave BENCH_WAVE with ``n`` synthetic responses; an open wave IMPORT_WAVE; a CSV of ``import_rows``."""
    from sqlalchemy import insert

    from survey_service.db.base import today
    from survey_service.db.engine import Database
    from survey_service.db.models import Response
    from survey_service.domain.questionnaires.services import definition_of, get_version
    from survey_service.domain.surveys.services import DEFAULT_QUESTIONNAIRE, create_survey
    from survey_service.questionnaire.answers import compiled
    from survey_service.results import demo

    db = Database(url)
    async with db.write() as session:
        version = await get_version(session, DEFAULT_QUESTIONNAIRE)
        q = definition_of(version)
        checker = compiled(version.content_hash, version.definition)
        wave = await create_survey(session, slug=BENCH_WAVE, version=version, year=2026)
        await create_survey(session, slug=IMPORT_WAVE, version=version, year=2026)
    people = demo.respondents(q, checker, 3, n)
    day = today()
    for start in range(0, n, 5000):
        async with db.write() as session:
            rows = [
                {
                    "survey_id": wave.id,
                    "questionnaire_version_id": version.id,
                    "language": r.language,
                    "mode": "web",
                    "status": "complete",
                    "answers": r.answers,
                    "started_on": day,
                    "submitted_on": day,
                }
                for r in people[start : start + 5000]
            ]
            await session.execute(insert(Response), rows)
    await db.dispose()
    columns = sorted({code for r in people for code in r.answers})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["language", *columns])
    for i in range(import_rows):
        r = people[i % n]
        writer.writerow([r.language, *(_cell(r.answers.get(c)) for c in columns)])
    await asyncio.to_thread(import_path.write_text, out.getvalue())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


class Probes:
    """A resident page GET and a submission POST, alternately, one every 50 ms (each on its own schedule,
    so that a stalled server shows as many slow probes, not as fewer probes)."""

    def __init__(self, base: str) -> None:
        self.page, _, self.cookie = page_url(base)
        self.submit = f"{base}/api/v1/surveys/{SURVEY}/responses"
        self.body = valid_body()
        self.latencies: list[float] = []
        self.by_kind: dict[str, list[float]] = {"page": [], "submit": []}
        self.failures = 0

    async def run(self, until: asyncio.Event) -> None:
        tasks: list[asyncio.Task[None]] = []
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=200)) as client:
            tick = 0
            start = time.monotonic()
            while not until.is_set():
                tasks.append(asyncio.create_task(self._one(client, tick % 2 == 0)))
                tick += 1
                await asyncio.sleep(max(0.0, start + tick * PROBE_EVERY - time.monotonic()))
            await asyncio.gather(*tasks)

    async def _one(self, client: httpx.AsyncClient, page: bool) -> None:
        t0 = time.perf_counter()
        try:
            if page:
                r = await client.get(self.page, headers={"Cookie": self.cookie})
            else:
                r = await client.post(self.submit, content=self.body, headers={"Content-Type": "application/json"})
            ok = r.status_code < 400
        except httpx.HTTPError:
            ok = False
        ms = (time.perf_counter() - t0) * 1000
        self.latencies.append(ms)
        self.by_kind["page" if page else "submit"].append(ms)
        self.failures += not ok


def summary(lat: list[float]) -> tuple[float, float, float]:
    ordered = sorted(lat)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99, ordered[-1]


async def measure(base: str, token: str, idle_seconds: float, import_path: Path) -> list[str]:
    lines = [f"  load average of the machine at the start (1/5/15 min): {os.getloadavg()}"]
    idle = Probes(base)
    stop = asyncio.Event()
    task = asyncio.create_task(idle.run(stop))
    await asyncio.sleep(idle_seconds)
    stop.set()
    await task

    busy = Probes(base)
    stop = asyncio.Event()
    task = asyncio.create_task(busy.run(stop))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as staff:
        t0 = time.monotonic()
        urls = {}
        r = await staff.post("/api/v1/jobs/reports", json={"survey": BENCH_WAVE, "format": "pdf", "lang": "fi"})
        urls["PDF report"] = r.headers["location"]
        r = await staff.post("/api/v1/jobs/exports", json={"survey": BENCH_WAVE, "format": "xlsx"})
        urls["XLSX export"] = r.headers["location"]
        with import_path.open("rb") as f:
            r = await staff.post(
                "/api/v1/jobs/imports", params={"survey": IMPORT_WAVE}, files={"file": ("import.csv", f, "text/csv")}
            )
        assert r.status_code == 202, r.text
        urls["100k-row import"] = r.headers["location"]
        enqueue_ms = (time.monotonic() - t0) * 1000
        jobs: dict[str, dict[str, Any]] = {}
        while True:
            for name, url in urls.items():
                jobs[name] = (await staff.get(url)).json()
            if all(j["status"] not in ("queued", "running", "cancelling") for j in jobs.values()):
                break
            await asyncio.sleep(0.5)
        stop.set()
        await task
    i50, i99, imax = summary(idle.latencies)
    b50, b99, bmax = summary(busy.latencies)
    lines.append(
        f"  probes idle:        n={len(idle.latencies):5d}  p50 {i50:7.1f} ms  p99 {i99:7.1f} ms  max {imax:7.1f} ms"
    )
    lines.append(
        f"  probes during jobs: n={len(busy.latencies):5d}  p50 {b50:7.1f} ms  p99 {b99:7.1f} ms  max {bmax:7.1f} ms"
    )
    lines.append(f"  ratio during/idle:  p50 {b50 / i50:5.2f}x   p99 {b99 / i99:5.2f}x   max {bmax / imax:5.2f}x")
    for kind in ("page", "submit"):
        k50, k99, kmax = summary(busy.by_kind[kind])
        lines.append(f"    during jobs, {kind:6s}: p50 {k50:7.1f} ms  p99 {k99:7.1f} ms  max {kmax:7.1f} ms")
    lines.append(f"  failed probes: idle {idle.failures}, during jobs {busy.failures}")
    lines.append(f"  load average of the machine at the end (1/5/15 min): {os.getloadavg()}")
    lines.append(f"  three jobs queued in {enqueue_ms:.0f} ms (the import's upload included)")
    for name, j in jobs.items():
        created, started, finished = (_time(j[k]) for k in ("created_at", "started_at", "finished_at"))
        wait = (started - created).total_seconds() if started and created else float("nan")
        run = (finished - started).total_seconds() if finished and started else float("nan")
        lines.append(
            f"  {name:16s} {j['status']:8s} waited {wait:6.1f} s, ran {run:6.1f} s; "
            f"rows {j['rows_done']}/{j['rows_total']}" + (f"; {j['message']}" if j["message"] else "")
        )
    return lines


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def run(name: str, env: dict[str, str], args: argparse.Namespace, tmp: Path) -> list[str]:
    cli(env, "db", "upgrade")
    cli(env, "questionnaire", "load")
    cli(env, "survey", "ensure-demo")
    import_path = tmp / "import.csv"
    t0 = time.monotonic()
    asyncio.run(fill(env["SURVEY_DATABASE_URL"], args.responses, args.import_rows, import_path))
    filled = time.monotonic() - t0
    subprocess.run(
        [PYTHON, "-m", "survey_service.cli", "user", "create", "bench", "--role", "admin", "--password-stdin"],
        env=env,
        cwd=ROOT,
        input="benchmark-password-1\n",
        text=True,
        check=True,
        capture_output=True,
    )
    token = cli(env, "token", "create", "bench").strip().split()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs = []
    if name == "sqlite":  # as `make run`: the worker comes with the server
        procs.append(
            subprocess.Popen([PYTHON, "-m", "survey_service.cli", "serve", "--port", str(port)], env=env, cwd=ROOT)
        )
    else:  # production: the server alone, and a worker of its own
        procs.append(
            subprocess.Popen(
                [PYTHON, "-m", "survey_service.cli", "serve", "--port", str(port), "--no-jobs"], env=env, cwd=ROOT
            )
        )
        procs.append(subprocess.Popen([PYTHON, "-m", "survey_service.cli", "worker"], env=env, cwd=ROOT))
    try:
        wait_ready(f"{base}/health", timeout=180)  # a loaded machine starts slowly
        lines = [
            f"{name}: {args.responses} responses in {BENCH_WAVE} (filled in {filled:.0f} s), "
            f"import of {args.import_rows} rows"
        ]
        lines += asyncio.run(measure(base, token, args.idle, import_path))
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=15.0, help="seconds of probes with no jobs")
    parser.add_argument("--postgres", action="store_true", help="also PostgreSQL with huey on Redis")
    args = parser.parse_args()
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="survey-resp-") as tmp:
        env = {
            **os.environ,
            "SURVEY_VAR_DIR": f"{tmp}/var",
            "SURVEY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/var/survey.db",
            "SURVEY_SECRET_KEY": "benchmark",
            "SURVEY_LOG_LEVEL": "WARNING",
            "SURVEY_RATE_LIMIT_PER_HOUR": str(10**9),
        }
        env.pop("SURVEY_JOB_QUEUE", None)
        out += run("sqlite", env, args, Path(tmp))
        print("\n".join(out), flush=True)
        if args.postgres:
            url, _admin = fresh_postgres(os.environ.get("SURVEY_BENCH_POSTGRES_URL", DEFAULT_PG))
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
            pg_env = {
                **env,
                "SURVEY_VAR_DIR": f"{tmp}/var-pg",
                "SURVEY_DATABASE_URL": url,
                "SURVEY_JOB_QUEUE": "redis",
                "SURVEY_REDIS_URL": REDIS_URL,
            }
            print("\n".join(run("postgresql + huey on redis", pg_env, args, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
