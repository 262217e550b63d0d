"""Crash safety: the server is killed (SIGKILL) in the middle of a submission load; after a restart every
response that got a 201 is stored whole, and nothing half-written is visible — SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import Response
from tests.helpers import ROOT

SURVEY = "good-relations-demo"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "survey_service.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
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
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


def _answers(marker: int) -> dict[str, Any]:
    # Every respondent's answers differ (the numbers encode the marker), so a stored row can be matched to
    # what was sent for it and any mix-up or truncation shows.
    return {
        "GETON_AREA": 1 + marker % 4,
        "GETON_MUNI": 1 + (marker // 4) % 4,
        "IMBGECO": marker % 11,
        "IMUECLT": (marker // 11) % 11,
        "IMWBCNT": (marker // 121) % 11,
        "PPLTRST": (marker * 7) % 11,
        "RESPECT_MUNI": 1 + (marker * 3) % 4,
    }


async def _load(port: int, stop: asyncio.Event, acknowledged: dict[str, dict[str, Any]], going: asyncio.Event) -> None:
    counter = iter(range(10**9))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as c:
            while not stop.is_set():
                answers = _answers(next(counter))
                try:
                    r = await c.post(f"/api/v1/surveys/{SURVEY}/responses", json={"language": "fi", "answers": answers})
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 201:
                    acknowledged[r.json()["id"]] = answers
                    if len(acknowledged) >= 200:
                        going.set()

    await asyncio.gather(*(client() for _ in range(16)))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_acknowledged_responses_survive_a_kill(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_SECRET_KEY": "crash-test",
        "SURVEY_RATE_LIMIT_PER_HOUR": "0",
        "SURVEY_LOG_LEVEL": "WARNING",
    }
    for args in (["db", "upgrade"], ["questionnaire", "load"], ["survey", "ensure-demo"]):
        _cli(env, *args)
    db = Database(url)
    async with db.read() as session:
        before = {r.id for r in (await session.execute(select(Response.id))).all()}
    await db.dispose()

    port = _free_port()
    server = _serve(env, port)
    acknowledged: dict[str, dict[str, Any]] = {}
    stop, going = asyncio.Event(), asyncio.Event()
    load = asyncio.create_task(_load(port, stop, acknowledged, going))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(going.wait(), timeout=20)
    os.kill(server.pid, signal.SIGKILL)  # mid-load: batches are being written and committed
    server.wait(timeout=10)
    stop.set()
    await load
    assert len(acknowledged) >= 50, "the load did not get going before the kill"

    restarted = _serve(env, port)  # recovery: the database opens and the service answers again
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
            r = await c.post(f"/api/v1/surveys/{SURVEY}/responses", json={"language": "fi", "answers": _answers(1)})
            assert r.status_code == 201
            acknowledged[r.json()["id"]] = _answers(1)
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)

    db = Database(url)
    try:
        async with db.read() as session:
            rows = (await session.execute(select(Response.id, Response.status, Response.answers))).all()
    finally:
        await db.dispose()
    stored = {str(r.id): r for r in rows if r.id not in before}
    missing = [i for i in acknowledged if i not in stored]
    assert not missing, f"{len(missing)} acknowledged responses were lost"
    for response_id, answers in acknowledged.items():
        row = stored[response_id]
        kept = row.answers if isinstance(row.answers, dict) else json.loads(row.answers)
        assert row.status == "complete" and kept == answers, f"response {response_id} is not stored whole"
    for row in stored.values():  # nothing half-written: every visible row is a complete, well-formed response
        kept = row.answers if isinstance(row.answers, dict) else json.loads(row.answers)
        assert row.status == "complete" and set(kept) == set(_answers(0))
        uuid.UUID(str(row.id))
