"""Health check: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.response import Response
from sqlalchemy import text

from survey_service.db.engine import Database


class Health(msgspec.Struct, frozen=True):
    status: str
    database: str


@get("/health", summary="Health check", tags=["system"], opt={"access": "public"})
async def health(db: NamedDependency[Database]) -> Response[Health]:
    try:
        async with db.read() as session:
            await session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        return Response(Health("unavailable", "unreachable"), status_code=503)
    return Response(Health("ok", "ok"))
