"""Recording and reading audit events. Call ``record`` inside the write transaction of the action itself,
so an action and its audit event are stored together or not at all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.models import AuditEvent


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a staff member over the web or the API, or an operator at the command line."""

    name: str
    channel: str  # "web" | "api" | "cli"
    id: uuid.UUID | None = None


COMMAND_LINE = Actor(name="command line", channel="cli")


async def record(
    session: AsyncSession, actor: Actor, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """Add one event (``action`` like ``questionnaire.publish``; ``target`` like ``good-relations@3``)."""
    session.add(
        AuditEvent(
            actor_id=actor.id,
            actor=actor.name,
            channel=actor.channel,
            action=action,
            target=target[:200],
            detail=detail or {},
        )
    )


async def events(
    session: AsyncSession, *, action: str | None = None, limit: int = 100, offset: int = 0
) -> list[AuditEvent]:
    """Newest first; ``action`` filters by exact action or by prefix ending in a dot (``user.``)."""
    stmt = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id).limit(limit).offset(offset)
    if action:
        if action.endswith("."):
            stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
        else:
            stmt = stmt.where(AuditEvent.action == action)
    return list(await session.scalars(stmt))
