"""Data at rest is readable by the service user only: the database, its WAL, backups and exported files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from survey_service.db.backup import backup_sqlite
from survey_service.db.engine import Database
from tests.live import cli, service_env


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The common default umask (files 0644): what the service must not rely on."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
async def test_a_new_sqlite_database_its_wal_and_its_backup_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "survey.db"
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(url)
    try:
        async with db.write() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
            await session.execute(text("INSERT INTO t VALUES (1)"))
        assert mode(path) == 0o600
        assert mode(path.with_name("survey.db-wal")) == 0o600
        backup = tmp_path / "backups" / "survey.db"
        backup_sqlite(url, backup)
        assert mode(backup) == 0o600
    finally:
        await db.dispose()


@pytest.mark.usefixtures("permissive_umask")
def test_files_written_by_the_command_line_are_owner_only(tmp_path: Path) -> None:
    env = service_env(f"sqlite+aiosqlite:///{tmp_path / 'survey.db'}")
    cli(env, "db", "upgrade")
    cli(env, "questionnaire", "load")
    out = tmp_path / "export" / "definition.xlsx"
    out.parent.mkdir()
    cli(env, "questionnaire", "export", "good-relations", "-o", str(out))
    assert mode(out) == 0o600
    assert mode(tmp_path / "survey.db") == 0o600
