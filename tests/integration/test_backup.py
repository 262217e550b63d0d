"""SQLite online backup: a consistent copy taken while the service writes, and a restore that works.

PostgreSQL is backed up with pg_dump (README); this is the embedded database's own mechanism.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from sqlalchemy import func, select

from survey_service.db.backup import backup_sqlite
from survey_service.db.engine import Database
from survey_service.db.models import Response
from tests.helpers import open_survey


async def _add_responses(db: Database, survey_id: object, version_id: object, n: int) -> None:
    for i in range(n):
        async with db.write() as session:
            session.add(
                Response(
                    survey_id=survey_id,
                    questionnaire_version_id=version_id,
                    language="fi",
                    answers={"GETON": 1 + i % 4},
                )
            )


async def _count(url: str) -> int:
    db = Database(url)
    try:
        async with db.read() as session:
            return int(await session.scalar(select(func.count()).select_from(Response)) or 0)
    finally:
        await db.dispose()


async def test_backup_during_writes_then_restore(sqlite_template: Path, tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    shutil.copyfile(sqlite_template, live)
    database_url = f"sqlite+aiosqlite:///{live}"
    db = Database(database_url)
    survey = await open_survey(db)
    await _add_responses(db, survey.id, survey.questionnaire_version_id, 20)
    target = tmp_path / "backups" / "survey.db"
    writer = asyncio.create_task(_add_responses(db, survey.id, survey.questionnaire_version_id, 30))
    pages = await asyncio.to_thread(backup_sqlite, database_url, target)
    await writer
    assert pages > 0 and not target.with_name("survey.db.partial").exists()
    backed_up = await _count(f"sqlite+aiosqlite:///{target}")
    assert 20 <= backed_up <= 50  # a consistent snapshot from some moment during the writes

    # Disaster: the live database is lost. Restore = put the backup file in its place.
    await db.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(target, live)
    assert await _count(database_url) == backed_up
