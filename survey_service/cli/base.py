"""What every command shares: running work with the configured database, and ending with an error."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import NoReturn, TypeVar

import click

from survey_service.db.engine import Database
from survey_service.settings import get_settings

T = TypeVar("T")


def run_with_db(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` with a database of the configured URL, disposing of it afterwards.

    A ``DomainError`` (a refused request: unknown survey, invalid input…) ends the command with its message
    and its located errors on stderr and exit status 1.
    """
    from survey_service.errors import DomainError

    async def main() -> T:
        db = Database(get_settings().database_url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        for item in exc.errors[:20]:
            click.echo(f"{item.item}: {item.message}", err=True)
        fail(exc)


def fail(exc: Exception) -> NoReturn:
    from survey_service.errors import DomainError

    click.echo(f"error: {exc.detail if isinstance(exc, DomainError) else exc}", err=True)
    sys.exit(1)
