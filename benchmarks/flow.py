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
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import httpx

from survey_service.domain.pages.services import UNDER_AGE

ROOT = Path(__file__).resolve().parent.parent
SURVEY = "good-relations-demo"
T = TypeVar("T")
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
        # simulated respondents are adults: an under-18 answer ends the survey without storing anything
        adult = [v for v in values if (name, v) != UNDER_AGE] or values
        out[name] = [rng.choice(adult)]
    for name, values in boxes.items():
        out[name] = [values[0]]
    for name in _TEXTAREA.findall(form):
        out[name] = ["A few words from a simulated respondent."]
    return out


class Browser:
    """One simulated respondent's browser: its own keep-alive connection and cookies.

    A small HTTP/1.1 client, so that the load generator (on the same machine) spends as little CPU as it
    can: a general-purpose client costs several milliseconds per request and would measure itself."""

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.headers = [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.cookies: dict[str, str] = {}
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.requests = 0

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None

    async def request(self, method: str, path: str, form: dict[str, list[str]] | None = None) -> Page:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", *self.headers]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:
            body = urlencode([(k, v) for k, vs in form.items() for v in vs]).encode()
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        self.requests += 1
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in head[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.lower(), value.strip()
            if name == "set-cookie":
                self._cookie(value)
            else:
                headers[name] = value
        if headers.get("transfer-encoding") == "chunked":
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                chunks.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")
            content = b"".join(c[:-2] for c in chunks)
        else:
            content = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            await self.close()
        return Page(status, path, headers, content.decode())

    def _cookie(self, header: str) -> None:
        pair, *attributes = header.split(";")
        name, _, value = pair.strip().partition("=")
        gone = any(a.strip().lower() in ("max-age=0", "max-age=-1") for a in attributes)
        if gone or value in ("", '""'):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    async def get(self, path: str) -> Page:
        """GET, following redirects."""
        for _ in range(5):
            page = await self.request("GET", path)
            if page.status not in (301, 302, 303, 307, 308):
                return page
            path = page.headers["location"]
        raise AssertionError(f"too many redirects at {path}")


@dataclass
class Page:
    status: int
    url: str
    headers: dict[str, str]
    text: str


async def respondent(browser: Browser, rng: random.Random, result: Result) -> None:
    t0 = time.perf_counter()
    try:
        page = await browser.get(f"/s/{SURVEY}?lang=fi")
        start = re.search(rf'href="(/s/{SURVEY}/p/[^"]+)"', page.text)
        assert start, "no link to the first page"
        page = await browser.get(html.unescape(start.group(1)))
        for _ in range(50):
            form = _FORM.search(page.text)
            assert form, f"no form on {page.url}"
            action, body = html.unescape(form.group(1)), form.group(2)
            data = _fields(body, rng)
            data["action"] = ["submit"] if action.endswith("/submit") else ["next"]
            posted = await browser.request("POST", action, data)
            assert posted.status == 303, f"{action}: {posted.status} {posted.text[:200]}"
            page = await browser.get(posted.headers["location"])
            if "/thanks" in page.url:
                break
        else:
            raise AssertionError("never reached the thank-you page")
        assert page.status == 200
    except Exception as exc:
        result.failed.append(f"{type(exc).__name__}: {exc}")
        return
    finally:
        result.requests += browser.requests
        await browser.close()
    result.completed += 1
    result.seconds.append(time.perf_counter() - t0)


async def run(base_url: str, respondents: int, concurrency: int, seed: int = 1) -> tuple[Result, float]:
    result = Result()
    address = urlsplit(base_url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await respondent(Browser(host, port), random.Random(seed + i), result)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(respondents)))
    return result, time.perf_counter() - t0


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


def _run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run the load generator on uvloop when it is installed (it is, with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


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
            result, elapsed = _run_loop(run(base, args.respondents, args.concurrency))
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
