"""Fixtures shared by every test: settings from the environment, and an app + database per backend.

Every database test runs twice: on SQLite (a file copied from a migrated template) and on PostgreSQL (a
database of its own, created and migrated once per test session, emptied between tests). PostgreSQL
runs when SURVEY_TEST_POSTGRES_URL is set; when it is set and the server cannot be reached, the tests
fail rather than skip.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
# Settings are read from the environment when the app is imported: set them first.
os.environ["SURVEY_VAR_DIR"] = tempfile.mkdtemp(prefix="survey-tests-var-")
os.environ["SURVEY_SECRET_KEY"] = "test-secret-key"
os.environ["SURVEY_QUESTIONNAIRES_DIR"] = str(ROOT / "questionnaires")
os.environ.pop("SURVEY_DATABASE_URL", None)

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import pytest  # noqa: E402
from alembic import command  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from survey_service.app import create_app  # noqa: E402
from survey_service.cli import alembic_config  # noqa: E402
from survey_service.db.engine import Database  # noqa: E402
from survey_service.settings import Settings  # noqa: E402
from tests.helpers import service_missing  # noqa: E402

POSTGRES_URL = os.environ.get("SURVEY_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgres"]
T = TypeVar("T")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with minimal cost inside the test process (the CLI tests' subprocesses use the real cost)."""
    from argon2 import PasswordHasher

    from survey_service.domain.auth import passwords

    monkeypatch.setattr(passwords, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Every coroutine test runs under anyio (a fixture's set-up and tear-down share one task)."""
    if inspect.iscoroutinefunction(obj) and name.startswith("test"):
        pytest.mark.anyio(obj)


def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking set-up (which may start its own event loop) outside the test's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def migrate(url: str, revision: str = "head") -> None:
    in_thread(command.upgrade, alembic_config(url), revision)


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    u = make_url(url)
    if database is not None:
        u = u.set(database=database)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite+aiosqlite:///{path}")
    return path


@contextmanager
def _new_postgres_database(*, migrated: bool) -> Iterator[str]:
    """A PostgreSQL database of its own (dropped afterwards); fails when the server cannot be reached."""
    if not POSTGRES_URL:
        service_missing("PostgreSQL not configured: set SURVEY_TEST_POSTGRES_URL (CI always does)")
    name = f"survey_test_{os.getpid()}_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        in_thread(asyncio.run, admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"SURVEY_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc}", pytrace=False)
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        if migrated:
            migrate(url)
        yield url
    finally:
        in_thread(asyncio.run, admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (shared by the worker's tests)."""
    with _new_postgres_database(migrated=True) as url:
        yield url


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    """A brand-new PostgreSQL database with nothing in it, not even the schema (for this test only)."""
    with _new_postgres_database(migrated=False) as url:
        yield url


async def _truncate_postgres(url: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        if tables:
            await conn.execute("TRUNCATE " + ", ".join(f'"{t["tablename"]}"' for t in tables) + " CASCADE")
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "survey.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
        await _truncate_postgres(url)
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        database_url=database_url,
        secret_key="test-secret-key",
        questionnaires_dir=ROOT / "questionnaires",
    )


@pytest.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in this test's event loop (so requests can truly run concurrently)."""
    app = create_app(settings, db)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c,
    ):
        yield c


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per reason for skipped tests (a service that is not configured), with how many."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"skipped {count}: {reason}", yellow=True)
