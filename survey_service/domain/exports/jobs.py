"""Exports run in the background: a job writes the file under ``var/exports/<id>/`` and keeps its status
(with progress) in a JSON file beside it, so that every worker process of the server can answer for it.

A job's id is random and unguessable; finished jobs and their files are removed after a day.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import anyio

from survey_service.db.engine import Database
from survey_service.domain.audit.services import COMMAND_LINE, Actor
from survey_service.domain.exports.services import export_to
from survey_service.domain.surveys.services import get_survey
from survey_service.errors import BadRequest, DomainError, NotFound
from survey_service.results.data import count_responses
from survey_service.results.exports import EXTENSIONS, FORMATS

log = logging.getLogger("survey_service")
KEEP_SECONDS = 24 * 3600
STATUS_FILE = "status.json"
_RUNNING: set[asyncio.Task[None]] = set()  # strong references: a bare task could be garbage-collected


def _folder(root: Path, job_id: str) -> Path:
    try:
        uuid.UUID(hex=job_id)
    except ValueError:
        raise NotFound("no such export job") from None
    return root / job_id


def _write(folder: Path, status: dict[str, Any]) -> None:
    tmp = folder / (STATUS_FILE + ".tmp")
    tmp.write_text(json.dumps(status))
    tmp.replace(folder / STATUS_FILE)


def _clean(root: Path) -> None:
    if not root.is_dir():
        return
    limit = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        status = folder / STATUS_FILE
        if status.is_file() and status.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


async def start(
    db: Database, root: Path, slug: str, fmt: str, labels: str | None = None, actor: Actor = COMMAND_LINE
) -> dict[str, Any]:
    """Queue an export of wave ``slug`` and return its status (``status`` = running)."""
    if fmt not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    async with db.read() as session:
        total = await count_responses(session, await get_survey(session, slug))
    await anyio.to_thread.run_sync(_clean, root)
    job_id = uuid.uuid4().hex
    folder = root / job_id
    await anyio.Path(folder).mkdir(parents=True)
    name = f"{slug}.{EXTENSIONS[fmt]}" if fmt != "ddi" else f"{slug}-ddi.xml"
    status = {
        "id": job_id,
        "survey": slug,
        "format": fmt,
        "labels": labels,
        "status": "running",
        "rows_total": total,
        "rows_done": 0,
        "file": name,
        "error": None,
    }
    _write(folder, status)
    task = asyncio.create_task(_run(db, folder, dict(status), labels, actor))
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    return status


async def _run(db: Database, folder: Path, status: dict[str, Any], labels: str | None, actor: Actor) -> None:
    def progress(done: int) -> None:
        status["rows_done"] = done
        _write(folder, status)

    try:
        await export_to(db, status["survey"], status["format"], folder / status["file"], labels, progress, actor)
        status["status"] = "done"
    except DomainError as exc:
        status.update(status="failed", error=exc.detail)
    except Exception:
        log.exception("export job %s failed", status["id"])
        status.update(status="failed", error="the export could not be completed")
    _write(folder, status)


def status_of(root: Path, job_id: str) -> dict[str, Any]:
    path = _folder(root, job_id) / STATUS_FILE
    if not path.is_file():
        raise NotFound("no such export job")
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def file_of(root: Path, job_id: str) -> tuple[Path, dict[str, Any]]:
    status = status_of(root, job_id)
    if status["status"] != "done":
        raise BadRequest(f"the export is {status['status']}, not done")
    return _folder(root, job_id) / status["file"], status
