"""The audit log, for admins: API (bearer) and page (session)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.domain.audit.schemas import AuditEntry
from survey_service.domain.audit.services import events
from survey_service.web.i18n import gettext as _
from survey_service.web.staff import page

PAGE_SIZE = 100
Action = Annotated[
    str | None, QueryParameter(description="An action (publish…) or a prefix ending in '.'", max_length=64)
]
Page = Annotated[int, QueryParameter(ge=1, le=100_000, description="Page number, 100 events a page")]


@get("/api/v1/audit", summary="Audit log, newest first", tags=["staff"], opt={"access": "audit:read"})
async def audit_log(
    read_session: NamedDependency[AsyncSession], action: Action = None, page_number: Page = 1
) -> list[AuditEntry]:
    rows = await events(read_session, action=action, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    return [
        AuditEntry(
            occurred_at=r.occurred_at,
            actor=r.actor,
            channel=r.channel,
            action=r.action,
            target=r.target,
            detail=r.detail,
        )
        for r in rows
    ]


@get("/staff/audit", opt={"access": "audit:read"}, include_in_schema=False)
async def audit_page(
    request: Request[Any, Any, Any],
    read_session: NamedDependency[AsyncSession],
    action: Action = None,
    page_number: Page = 1,
) -> Template:
    rows = await events(read_session, action=action, limit=PAGE_SIZE + 1, offset=(page_number - 1) * PAGE_SIZE)
    return page(
        request,
        "staff/audit.html",
        title=_("Audit log"),
        events=rows[:PAGE_SIZE],
        action=action or "",
        page_number=page_number,
        has_next=len(rows) > PAGE_SIZE,
    )
