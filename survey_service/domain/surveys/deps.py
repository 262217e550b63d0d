"""Dependencies of the survey routes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database


def provide_database(state: State) -> Database:
    db: Database = state.db
    return db


async def provide_read_session(db: NamedDependency[Database]) -> AsyncIterator[AsyncSession]:
    """A read-only session for one request."""
    async with db.read() as session:
        yield session
