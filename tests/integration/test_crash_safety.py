"""Crash safety: the server is killed (SIGKILL) in the middle of a submission load; after a restart every
response that got a 201 is stored whole, and nothing half-written is visible — SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from survey_service.db.engine import Database
from survey_service.db.models import Response
from tests.live import free_port, prepare, service_env, start

SURVEY = "good-relations-demo"


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
        url = request.getfixturevalue("empty_postgres_database")
    env = service_env(url)
    prepare(env)
    db = Database(url)
    async with db.read() as session:
        before = {r.id for r in (await session.execute(select(Response.id))).all()}
    await db.dispose()

    port = free_port()
    server = start(env, port)
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

    restarted = start(env, port)  # recovery: the database opens and the service answers again
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
