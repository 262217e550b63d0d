"""Load test of the whole resident flow: open the survey, answer every page, review, submit.

Each simulated respondent is a browser of its own (cookies, CSRF token, redirects): it opens the start
page, follows the link to the first page of questions, answers every question on every page it is shown
(the server's skip logic decides the pages), reviews and submits. Afterwards the database must hold
exactly one complete response per respondent that reached the thank-you page, and no other.

usage: python benchmarks/flow.py [--respondents 1000] [--concurrency 64] [--url URL --database-url URL]
Without --url it starts the service (`survey-service serve`) on a fresh SQLite database of its own.
It prints completed respondents per second and p50/p99 of the time one respondent takes.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SURVEY = "good-relations-demo"
_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input ([^>]*)>")
_TEXTAREA = re.compile(r'<textarea [^>]*name="([^"]+)"')
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


@dataclass
class Result:
    completed: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    requests: int = 0


def _fields(form: str, rng: random.Random) -> dict[str, list[str]]:
    """Answers for every question of a form: one choice per radio group, one box per checkbox group,
    the lowest allowed number, a short text."""
    out: dict[str, list[str]] = {}
    radios: dict[str, list[str]] = {}
    boxes: dict[str, list[str]] = {}
    for raw in _INPUT.findall(form):
        attrs = dict(_ATTR.findall(raw))
        name, kind, value = attrs.get("name"), attrs.get("type", "text"), html.unescape(attrs.get("value", ""))
        if not name:
            continue
        if kind == "hidden":
            out[name] = [value]
        elif kind == "radio":
            radios.setdefault(name, []).append(value)
        elif kind == "checkbox":
            boxes.setdefault(name, []).append(value)
        elif kind == "number" or attrs.get("inputmode") == "numeric":
            out[name] = [attrs.get("min") or "2000"]
        elif kind == "text":
            out[name] = ["load test"]
    for name, values in radios.items():
        out[name] = [rng.choice(values)]
    for name, values in boxes.items():
        out[name] = [values[0]]
    for name in _TEXTAREA.findall(form):
        out[name] = ["A few words from a simulated respondent."]
    return out


async def respondent(client: httpx.AsyncClient, rng: random.Random, result: Result) -> None:
    t0 = time.perf_counter()
    requests = 0
    try:
        page = await client.get(f"/s/{SURVEY}?lang=fi")
        requests += 1
        start = re.search(rf'href="(/s/{SURVEY}/p/[^"]+)"', page.text)
        assert start, "no link to the first page"
        page = await client.get(html.unescape(start.group(1)))
        requests += 1
        for _ in range(50):
            form = _FORM.search(page.text)
            assert form, f"no form on {page.url}"
            action, body = form.group(1), form.group(2)
            data = _fields(body, rng)
            if action.endswith("/submit"):
                data["action"] = ["submit"]
            else:
                data["action"] = ["next"]
            posted = await client.post(action, data=data)
            requests += 1
            assert posted.status_code == 303, f"{action}: {posted.status_code} {posted.text[:200]}"
            page = await client.get(posted.headers["location"])
            requests += 1
            if "/thanks" in str(page.url):
                break
        else:
            raise AssertionError("never reached the thank-you page")
        assert page.status_code == 200
    except Exception as exc:
        result.failed.append(f"{type(exc).__name__}: {exc}")
        result.requests += requests
        return
    result.completed += 1
    result.requests += requests
    result.seconds.append(time.perf_counter() - t0)


async def run(base_url: str, respondents: int, concurrency: int, seed: int = 1) -> tuple[Result, float]:
    result = Result()
    # Drop idle connections before the server does (uvicorn: 5 s), or a reused one may already be closed.
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=4)
    transport = httpx.AsyncHTTPTransport(limits=limits)
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        # A browser of its own (own cookies), sharing the machine's connections.
        client = httpx.AsyncClient(base_url=base_url, transport=_Shared(transport), timeout=60)
        async with gate, client:
            await respondent(client, random.Random(seed + i), result)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(respondents)))
    elapsed = time.perf_counter() - t0
    await transport.aclose()
    return result, elapsed


class _Shared(httpx.AsyncBaseTransport):
    """Lets many clients (each with its own cookies) share one connection pool."""

    def __init__(self, inner: httpx.AsyncHTTPTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:  # the pool outlives each client
        return None


def count_complete(database_url: str) -> int:
    code = (
        "import asyncio\nfrom sqlalchemy import func, select\nfrom survey_service.db.engine import Database\n"
        "from survey_service.db.models import Response\n"
        f"async def main():\n    db = Database({database_url!r})\n"
        "    async with db.read() as s:\n"
        "        q = select(func.count()).select_from(Response).where(Response.status == 'complete')\n"
        "        print(await s.scalar(q))\n"
        "    await db.dispose()\nasyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(out.stdout)


def serve_fresh(url: str, port: int) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_SECRET_KEY": "load-test",
        "SURVEY_RATE_LIMIT_PER_HOUR": "0",
        "SURVEY_LOG_LEVEL": "WARNING",
    }
    for args in (["db", "upgrade"], ["questionnaire", "load"], ["survey", "ensure-demo"]):
        subprocess.run(
            [sys.executable, "-m", "survey_service.cli", *args], env=env, cwd=ROOT, check=True, capture_output=True
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "survey_service.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc, url, env
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the service did not start")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def report(result: Result, elapsed: float, before: int, after: int) -> list[str]:
    lines = [
        f"respondents: {result.completed} completed, {len(result.failed)} failed, "
        f"{result.requests} requests in {elapsed:.1f} s ({result.requests / elapsed:.0f} req/s)",
        f"completed respondents/s: {result.completed / elapsed:.1f}",
    ]
    if result.seconds:
        s = sorted(result.seconds)
        lines.append(
            f"one respondent: p50 {statistics.median(s) * 1000:.0f} ms, p99 {s[int(len(s) * 0.99)] * 1000:.0f} ms"
        )
    stored = after - before
    verdict = "ok" if stored == result.completed else "MISMATCH"
    lines.append(f"stored exactly once: {verdict} ({stored} complete responses stored for {result.completed})")
    lines += [f"failure: {f}" for f in result.failed[:5]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--url", help="a running service (default: start one)")
    parser.add_argument(
        "--database-url",
        help="the service's SURVEY_DATABASE_URL, to check what was stored; without --url the service is "
        "started on it (default: a fresh SQLite file)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc = None
        if args.url:
            base, db_url = args.url.rstrip("/"), args.database_url
        else:
            port = _free_port()
            proc, db_url, _ = serve_fresh(args.database_url or f"sqlite+aiosqlite:///{tmp}/flow.db", port)
            base = f"http://127.0.0.1:{port}"
        try:
            before = count_complete(db_url) if db_url else 0
            result, elapsed = asyncio.run(run(base, args.respondents, args.concurrency))
            after = count_complete(db_url) if db_url else before + result.completed
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)
    for line in report(result, elapsed, before, after):
        print(line)
    if result.failed or after - before != result.completed:
        sys.exit(1)


if __name__ == "__main__":
    main()
