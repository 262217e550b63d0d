"""Submission and page speed of the service against a bare Litestar endpoint, measured in one run.

For each database (SQLite; PostgreSQL when SURVEY_BENCH_POSTGRES_URL or the local server is reachable)
this starts the service (`survey-service serve`, one worker) on a fresh database with the default
questionnaire and an open wave, and the bare app (benchmarks/bare_app.py) under the same server, then
drives both with the same load — 64 connections, a valid ~30-answer JSON body — alternating
A B A B, and prints requests/s, p50/p99 latency and the service/bare ratio. The same for the
questionnaire page GET. Load comes from wrk when installed, else from a small asyncio client.

After each service run the number of stored responses is compared with the acknowledged (201) ones.

usage: python benchmarks/submit.py [--seconds 10] [--connections 64] [--rounds 2] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SURVEY = "good-relations-demo"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    ok: int
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status < 500:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


def cli(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PYTHON, "-m", "survey_service.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout


def prepare_database(url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_LOG_LEVEL": "WARNING",
        "SURVEY_RATE_LIMIT_PER_HOUR": str(10**9),
        "SURVEY_SECRET_KEY": "benchmark",
    }
    cli(env, "db", "upgrade")
    cli(env, "questionnaire", "load")
    cli(env, "survey", "ensure-demo")
    return env


def valid_body(n_answers: int = 30) -> bytes:
    """A valid response to the default questionnaire with about ``n_answers`` answers (skip logic obeyed)."""
    sys.path.insert(0, str(ROOT))
    from survey_service.questionnaire.answers import CompiledQuestionnaire
    from survey_service.questionnaire.loader import load
    from survey_service.questionnaire.schema import LongText, MultipleChoice, Number, Rating, ShortText, Year

    cq = CompiledQuestionnaire(load(ROOT / "questionnaires" / "good-relations"))
    answers: dict[str, Any] = {}
    for code, var in cq.variables.items():
        if len(answers) >= n_answers:
            break
        q = var.question
        if not cq.question_visible(q, answers):
            continue
        substantive = [c.code for c in var.choices.values() if not c.missing]
        if isinstance(q, MultipleChoice):
            value: Any = substantive[:1]
        elif isinstance(q, Rating):
            value = (q.min + q.max) // 2
        elif isinstance(q, Year):
            value = 2010
        elif isinstance(q, Number):
            value = int(q.min or 1)
        elif isinstance(q, ShortText | LongText):
            value = "benchmark answer"
        else:
            value = substantive[len(substantive) // 2]
        answers[code] = value
    assert cq.check(answers).ok, cq.check(answers).errors
    return json.dumps({"language": "fi", "answers": answers}).encode()


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


# -- load generators --------------------------------------------------------------------------------


def wrk(url: str, seconds: int, connections: int, body: bytes | None) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        if body is not None:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
            f.write(f"wrk.body = {json.dumps(body.decode())}\n")
        f.write(
            "done = function(summary, latency, requests)\n"
            '  io.write(string.format("P50 %d\\nP99 %d\\n", latency:percentile(50), latency:percentile(99)))\n'
            "end\n"
        )
        script = f.name
    threads = max(1, min(2, connections))
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    return Run(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=int(re.search(r"P50 (\d+)", out).group(1)) / 1000,  # type: ignore[union-attr]
        p99_ms=int(re.search(r"P99 (\d+)", out).group(1)) / 1000,  # type: ignore[union-attr]
        ok=total - (int(non2xx.group(1)) if non2xx else 0),
        errors=errors,
    )


async def _client(host: str, port: int, request: bytes, stop_at: float, lat: list[float], codes: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            codes.append(status)
    finally:
        writer.close()


def asyncio_load(url: str, seconds: int, connections: int, body: bytes | None) -> Run:
    m = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    assert m
    host, port, path = m.group(1), int(m.group(2)), m.group(3)
    if body is None:
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    else:
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
    lat: list[float] = []
    codes: list[int] = []

    async def main() -> None:
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*(_client(host, port, request, stop_at, lat, codes) for _ in range(connections)))

    t0 = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - t0
    lat.sort()
    ok = sum(1 for c in codes if c < 400)
    return Run(
        rps=len(lat) / elapsed,
        p50_ms=lat[len(lat) // 2] * 1000,
        p99_ms=lat[int(len(lat) * 0.99)] * 1000,
        ok=ok,
        errors=len(codes) - ok,
    )


def load(url: str, seconds: int, connections: int, body: bytes | None) -> Run:
    if shutil.which("wrk"):
        return wrk(url, seconds, connections, body)
    return asyncio_load(url, seconds, connections, body)


# -- the comparison ---------------------------------------------------------------------------------


def count_responses(env: dict[str, str]) -> int:
    code = (
        "import asyncio\nfrom sqlalchemy import func, select\nfrom survey_service.db.engine import Database\n"
        "from survey_service.db.models import Response\nfrom survey_service.settings import get_settings\n"
        "async def main():\n    db = Database(get_settings().database_url)\n"
        "    async with db.read() as s:\n        print(await s.scalar(select(func.count()).select_from(Response)))\n"
        "    await db.dispose()\nasyncio.run(main())\n"
    )
    return int(
        subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    )


def page_url(base: str) -> tuple[str, int]:
    """The first questionnaire page of the demo wave (following redirects) and its size in bytes."""
    with urllib.request.urlopen(f"{base}/s/{SURVEY}?lang=fi", timeout=10) as r:
        return r.geturl(), len(r.read())


def compare(name: str, env: dict[str, str], args: argparse.Namespace, body: bytes) -> list[str]:
    app_port, bare_port = free_port(), free_port()
    app = start([PYTHON, "-m", "survey_service.cli", "serve", "--port", str(app_port)], env)
    wait_ready(f"http://127.0.0.1:{app_port}/health")
    page, page_bytes = page_url(f"http://127.0.0.1:{app_port}")
    bare_env = {**env, "BARE_PAGE_BYTES": str(page_bytes)}
    bare = start(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "benchmarks.bare_app:app",
            "--port",
            str(bare_port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        bare_env,
    )
    wait_ready(f"http://127.0.0.1:{bare_port}/page")
    lines = []
    try:
        targets = {
            "submit": (
                f"http://127.0.0.1:{app_port}/api/v1/surveys/{SURVEY}/responses",
                f"http://127.0.0.1:{bare_port}/submit",
                body,
            ),
            "page GET": (page, f"http://127.0.0.1:{bare_port}/page", None),
        }
        before = count_responses(env)
        acknowledged = 0
        for label, (app_url, bare_url, payload) in targets.items():
            app_runs, bare_runs = [], []
            for _ in range(args.rounds):
                app_runs.append(load(app_url, args.seconds, args.connections, payload))
                bare_runs.append(load(bare_url, args.seconds, args.connections, payload))
            if payload is not None:
                acknowledged = sum(r.ok for r in app_runs)
            a_rps = statistics.mean(r.rps for r in app_runs)
            b_rps = statistics.mean(r.rps for r in bare_runs)
            a_p50 = statistics.mean(r.p50_ms for r in app_runs)
            b_p50 = statistics.mean(r.p50_ms for r in bare_runs)
            lines.append(
                f"{name:<10} {label:<9} service {a_rps:8.0f} req/s  p50 {a_p50:6.1f} ms"
                f"  p99 {max(r.p99_ms for r in app_runs):6.1f} ms  errors {sum(r.errors for r in app_runs):>5} | "
                f"bare {b_rps:8.0f} req/s  p50 {b_p50:6.1f} ms"
                f"  p99 {max(r.p99_ms for r in bare_runs):6.1f} ms | ratio {a_rps / b_rps:.2f}"
            )
        stored = count_responses(env) - before
        verdict = "ok" if stored >= acknowledged else "LOST RESPONSES"
        lines.append(
            f"{name:<10} durability {verdict}: {acknowledged} acknowledged (201) submissions, {stored} stored "
            f"(the difference is requests still in flight when the load stopped)"
        )
    finally:
        stop(app)
        stop(bare)
    return lines


def postgres_url() -> str | None:
    url = os.environ.get("SURVEY_BENCH_POSTGRES_URL", DEFAULT_PG)
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return url
    except OSError:
        return None


def fresh_postgres(url: str) -> tuple[str, str]:
    import asyncpg
    from sqlalchemy.engine import make_url

    name = f"survey_bench_{os.getpid()}"
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    return make_url(url).set(database=name).render_as_string(hide_password=False), admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    body = valid_body()
    n = len(json.loads(body)["answers"])
    tool = "wrk" if shutil.which("wrk") else "asyncio client"
    print(
        f"load: {tool}, {args.connections} connections, {args.seconds} s per run, A B x {args.rounds}, "
        f"body {len(body)} bytes with {n} answers, {os.cpu_count()} CPUs"
    )
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = prepare_database(f"sqlite+aiosqlite:///{tmp}/bench.db")
        lines += compare("sqlite", env, args, body)
    pg = None if args.sqlite_only else postgres_url()
    if pg:
        import asyncpg

        url, admin = fresh_postgres(pg)
        try:
            lines += compare("postgresql", prepare_database(url), args, body)
        finally:
            name = url.rsplit("/", 1)[1]

            async def drop() -> None:
                conn = await asyncpg.connect(admin)
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await conn.close()

            asyncio.run(drop())
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
