"""Applying the retention periods: complete responses, abandoned partial responses, idempotency keys and
the free text of closed feedback cases, each deleted when its period has passed.

Safe to run from cron: one transaction, idempotent (a second run finds nothing due), and a dry run
counts what would go without touching it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.base import today
from survey_service.db.models import IdempotencyKey, Invitation, Response
from survey_service.domain.audit.services import COMMAND_LINE, Actor, record
from survey_service.domain.feedback.services import months_before
from survey_service.domain.feedback.services import purge as purge_feedback

IDEMPOTENCY_DAYS = 30


@dataclass(frozen=True, slots=True)
class RetentionReport:
    dry_run: bool
    responses: int  # complete responses submitted on or before responses_cutoff
    responses_cutoff: date
    partials: int  # partial responses started on or before partials_cutoff
    partials_cutoff: date
    idempotency_keys: int
    feedback_cases: int  # closed feedback cases whose text is purged


async def _count(session: AsyncSession, table: type, *where: ColumnElement[bool]) -> int:
    query: Select[int] = select(func.count()).select_from(table).where(*where)
    return int(await session.scalar(query) or 0)


async def apply(
    session: AsyncSession,
    *,
    response_months: int,
    partial_days: int,
    feedback_months: int,
    on: date | None = None,
    dry_run: bool = False,
    actor: Actor = COMMAND_LINE,
) -> RetentionReport:
    """Delete everything past its retention period (or only count it, with ``dry_run``)."""
    day = on or today()
    responses_cutoff = months_before(day, response_months)
    partials_cutoff = day - timedelta(days=partial_days)
    keys_cutoff = day - timedelta(days=IDEMPOTENCY_DAYS)
    old_responses = (Response.status == "complete", Response.submitted_on <= responses_cutoff)
    old_partials = (Response.status == "partial", Response.started_on <= partials_cutoff)
    old_keys = (IdempotencyKey.created_on <= keys_cutoff,)
    counts = (
        await _count(session, Response, *old_responses),
        await _count(session, Response, *old_partials),
        await _count(session, IdempotencyKey, *old_keys),
    )
    feedback = await purge_feedback(session, months=feedback_months, on=day, dry_run=dry_run, actor=actor)
    report = RetentionReport(
        dry_run=dry_run,
        responses=counts[0],
        responses_cutoff=responses_cutoff,
        partials=counts[1],
        partials_cutoff=partials_cutoff,
        idempotency_keys=counts[2],
        feedback_cases=len(feedback.cases),
    )
    if dry_run:
        return report
    # An invitation whose partial response is deleted can be started again (it was never completed).
    abandoned = select(Response.invitation_id).where(*old_partials, Response.invitation_id.is_not(None))
    await session.execute(
        update(Invitation).where(Invitation.id.in_(abandoned), Invitation.status == "started").values(status="unused")
    )
    await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.response_id.in_(select(Response.id).where(*old_responses)))
    )
    await session.execute(delete(IdempotencyKey).where(*old_keys))
    await session.execute(delete(Response).where(*old_responses))
    await session.execute(delete(Response).where(*old_partials))
    if counts[0] or counts[1]:
        await record(
            session,
            actor,
            "retention.apply",
            f"{counts[0]} response(s), {counts[1]} partial response(s)",
            {"responses_cutoff": str(responses_cutoff), "partials_cutoff": str(partials_cutoff)},
        )
    return report
