"""Migrations create the schema from empty, and can be rolled back and reapplied, on both backends."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from survey_service.cli import alembic_config
from survey_service.db.engine import Database
from survey_service.db.models import Base
from tests.conftest import in_thread, migrate


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrated_schema_has_every_model_table(db: Database) -> None:
    tables = await _tables(db)
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


async def test_downgrade_to_empty_and_upgrade_again(db: Database, database_url: str) -> None:
    in_thread(command.downgrade, alembic_config(database_url), "base")
    assert await _tables(db) <= {"alembic_version"}
    migrate(database_url)
    assert set(Base.metadata.tables) <= await _tables(db)


async def test_models_match_migrations(db: Database) -> None:
    """Autogenerate finds nothing to do: the models and the migrations describe the same schema.

    Column types are compared on PostgreSQL only: SQLite reflects types by affinity (a 16-byte GUID
    comes back as NUMERIC), which would report differences that are not there.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    def diff(conn):  # type: ignore[no-untyped-def]
        opts = {"compare_type": conn.dialect.name != "sqlite"}
        return compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
