"""Recording and reading audit events. Call ``record`` inside the write transaction of the action itself,
so an action and its audit event are stored together or not at all."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import LOCAL_TIME_ZONE, today
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


async def count_today(session: AsyncSession, actor: Actor, action: str, target: str, key: str) -> None:
    """Add one to ``key`` of the actor's one ``action`` event of today on ``target`` (per channel), creating it.

    For frequent actions whose times must not be kept (entering a respondent's answers: responses store
    dates only): one event per actor, target and day, dated at the start of the day (Helsinki), holds the
    counts. Call it inside the action's write transaction.
    """
    day_start = datetime.combine(today(), time(0), tzinfo=LOCAL_TIME_ZONE).astimezone(UTC)
    if session.get_bind().dialect.name == "postgresql":
        # Concurrent first counts of the day from several workers would each insert an event: serialise
        # them on this (actor, action, target, day). SQLite has a single writer anyway.
        name = f"{actor.id or actor.name}|{actor.channel}|{action}|{target}|{day_start.date()}".encode()
        lock = int.from_bytes(hashlib.sha256(name).digest()[:8], "big", signed=True)
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
    who = AuditEvent.actor_id == actor.id if actor.id is not None else AuditEvent.actor == actor.name
    event = (
        await session.scalars(
            select(AuditEvent).where(
                who,
                AuditEvent.channel == actor.channel,
                AuditEvent.action == action,
                AuditEvent.target == target,
                AuditEvent.occurred_at == day_start,
            )
        )
    ).first()
    if event is None:
        session.add(
            AuditEvent(
                occurred_at=day_start,
                actor_id=actor.id,
                actor=actor.name,
                channel=actor.channel,
                action=action,
                target=target[:200],
                detail={key: 1},
            )
        )
        await session.flush()
    else:
        event.detail = {**event.detail, key: int(event.detail.get(key, 0)) + 1}


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
