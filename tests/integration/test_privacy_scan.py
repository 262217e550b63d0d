"""Privacy: after a whole round — resident pages, the response API, an invitation, feedback, staff work — no
IP address or user agent is found anywhere in the database or in the server's log output."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData

from survey_service.db.engine import Database
from tests.helpers import ROOT
from tests.live import cli, free_port, prepare, service_env

FORWARDED_FOR = "203.0.113.9"  # the resident's address as the trusted proxy reports it
USER_AGENT = "PrivacyProbe/9.9 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/999.0 Safari/537.36"
HEADERS = {"User-Agent": USER_AGENT, "X-Forwarded-For": FORWARDED_FOR}
IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")
BROWSERISH = re.compile(r"Mozilla/|AppleWebKit|PrivacyProbe|Chrome/\d")


async def _round(base: str, env: dict[str, str]) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from flow import Browser, Result, respondent

    address = httpx.URL(base)
    result = Result()
    browser = Browser(address.host, address.port or 80, headers=HEADERS)
    await respondent(browser, __import__("random").Random(1), result)  # the whole survey in the pages
    assert result.completed == 1, result.failed
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=30) as c:
        r = await c.post(
            "/api/v1/surveys/good-relations-demo/responses", json={"language": "en", "answers": {"GETON_AREA": 2}}
        )
        assert r.status_code == 201
        token = cli(env, "invitations", "create", "privacy-wave", "--count", "1").splitlines()[1].split(",")[0]
        r = await c.post(
            "/api/v1/surveys/privacy-wave/responses",
            json={"language": "fi", "answers": {"GETON_AREA": 1}, "token": token},
        )
        assert r.status_code == 201
        r = await c.post(
            "/api/v1/feedback",
            json={
                "language": "ar",
                "topic": "library",
                "kind": "suggestion",
                "text": "More books in Arabic, please.",
                "contact": "resident@example.org",
            },
        )
        assert r.status_code == 201
        receipt = r.json()["receipt"]
        assert (await c.get(f"/api/v1/feedback/{receipt}")).status_code == 200
    async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=30) as staff:
        await staff.get("/staff/login")
        r = await staff.post(
            "/staff/login",
            data={
                "username": "admin",
                "password": "privacy test password",
                "_csrf_token": staff.cookies.get("csrftoken") or "",
            },
        )
        assert r.status_code in {302, 303}, r.text
        assert (await staff.get("/staff/feedback")).status_code == 200
        await staff.get("/staff/login?next=/staff")  # one more request through the staff session


def _scan_database(url: str) -> list[str]:
    async def rows() -> list[tuple[str, str]]:
        db = Database(url)
        found: list[tuple[str, str]] = []
        try:
            async with db.engine.connect() as conn:
                meta = MetaData()
                await conn.run_sync(meta.reflect)
                for table in meta.tables.values():  # raw rows: every stored value as the database holds it
                    for row in (await conn.exec_driver_sql(f'SELECT * FROM "{table.name}"')).all():
                        found.append((table.name, json.dumps([str(v) for v in row], ensure_ascii=False)))
        finally:
            await db.dispose()
        return found

    problems = []
    for table, text in asyncio.run(rows()):
        if FORWARDED_FOR in text or "127.0.0.1" in text or IPV4.search(text) or BROWSERISH.search(text):
            problems.append(f"{table}: {text[:200]}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_no_address_or_user_agent_is_stored_or_logged(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'p.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("empty_postgres_database")
    )
    # Default log level, and the proxy trusted so that the server really sees the forwarded address.
    env = service_env(
        url, SURVEY_LOG_LEVEL="INFO", SURVEY_FORWARDED_ALLOW_IPS="127.0.0.1", SURVEY_RATE_LIMIT_PER_HOUR="120"
    )
    prepare(env)
    cli(
        env,
        "survey",
        "create",
        "privacy-wave",
        "--questionnaire",
        "good-relations",
        "--year",
        "2026",
        "--access",
        "invitation",
    )
    cli(env, "user", "create", "admin", "--role", "admin", "--password-stdin", stdin="privacy test password\n")
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "survey_service.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                __import__("time").sleep(0.1)
            asyncio.run(_round(f"http://127.0.0.1:{port}", env))
        finally:
            server.terminate()
            server.wait(timeout=15)
    logged = log.read_text(errors="replace")
    assert "Uvicorn running on" in logged or "Application startup complete" in logged  # the log was captured
    assert FORWARDED_FOR not in logged and not BROWSERISH.search(logged), logged[-2000:]
    leaks: list[Any] = _scan_database(url)
    assert not leaks, "\n".join(leaks[:10])
