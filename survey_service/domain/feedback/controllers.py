"""Feedback API: residents send a message and read back its status and reply with the receipt code; staff
work through the inbox (``feedback:handle``); analysts get disclosure-controlled counts (``results:read``).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.db.models.feedback_case import Kind, Status, Topic
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.feedback import services
from survey_service.domain.feedback.deps import (
    MAX_BODY_BYTES,
    FeedbackLimits,
    provide_feedback_limits,
    provide_outbox,
    send_reply,
)
from survey_service.domain.feedback.outbox import Outbox
from survey_service.domain.feedback.schemas import (
    FeedbackCase,
    FeedbackCaseSummary,
    FeedbackCaseUpdate,
    FeedbackCounts,
    FeedbackCreate,
    FeedbackReceipt,
    FeedbackRedaction,
    FeedbackStatus,
    FeedbackText,
)


class FeedbackController(Controller):
    path = "/api/v1/feedback"
    opt = {"access": "public"}  # noqa: RUF012 - Litestar reads it as a class attribute
    tags = ("feedback",)
    dependencies = {"feedback_limits": Provide(provide_feedback_limits, sync_to_thread=False)}  # noqa: RUF012

    @post("/", summary="Send feedback", request_max_body_size=MAX_BODY_BYTES)
    async def send(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        feedback_limits: NamedDependency[FeedbackLimits],
        data: JSONBody[FeedbackCreate],
    ) -> FeedbackReceipt:
        """Store a message; the receipt code in the answer is the only way back to it (it is stored hashed).

        Nothing about the sender is stored: no address, no device, no time of day.
        """
        submission = services.check_submission(
            language=data.language, topic=data.topic, kind=data.kind, text=data.text, contact=data.contact
        )
        await feedback_limits.check(feedback_limits.submissions, request)
        async with db.write() as session:
            code = await services.submit(session, submission)
        return FeedbackReceipt(code)

    @get("/{receipt:str}", summary="Status and reply of a message")
    async def status(
        self,
        request: Request[Any, Any, Any],
        read_session: NamedDependency[AsyncSession],
        feedback_limits: NamedDependency[FeedbackLimits],
        receipt: FromPath[str],
    ) -> FeedbackStatus:
        """The status and the staff reply; never the message, so a shared code discloses nothing of it."""
        await feedback_limits.check(feedback_limits.lookups, request)
        return await services.status_by_receipt(read_session, receipt)


class FeedbackCaseController(Controller):
    """The staff inbox over the API (bearer tokens only)."""

    path = "/api/v1/feedback-cases"
    opt = {"access": "feedback:handle"}  # noqa: RUF012 - Litestar reads it as a class attribute
    tags = ("feedback",)
    dependencies = {"feedback_outbox": Provide(provide_outbox, sync_to_thread=False)}  # noqa: RUF012

    @get("/", summary="Feedback cases, newest first")
    async def list_cases(
        self,
        read_session: NamedDependency[AsyncSession],
        status: FromQuery[Status | None] = None,
        topic: FromQuery[Topic | None] = None,
        kind: FromQuery[Kind | None] = None,
        language: FromQuery[str | None] = None,
        assignee: Annotated[str | None, Parameter(description="Username of the staff member")] = None,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
        offset: Annotated[int, Parameter(ge=0, le=1_000_000_000)] = 0,
    ) -> list[FeedbackCaseSummary]:
        return await services.list_cases(
            read_session,
            status=status,
            topic=topic,
            kind=kind,
            language=language,
            assignee=assignee,
            limit=limit,
            offset=offset,
        )

    @get("/{case_id:uuid}", summary="One case: text, personal-data warnings, notes and history")
    async def get_case(self, read_session: NamedDependency[AsyncSession], case_id: FromPath[uuid.UUID]) -> FeedbackCase:
        return await services.case_view(read_session, await services.get_case(read_session, case_id))

    @patch("/{case_id:uuid}", summary="Change status, assignee or tags")
    async def update_case(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        case_id: FromPath[uuid.UUID],
        data: JSONBody[FeedbackCaseUpdate],
    ) -> FeedbackCase:
        actor = actor_of(staff)
        async with db.write() as session:
            case = await services.get_case(session, case_id)
            if data.assignee is not msgspec.UNSET:
                await services.assign(session, case, data.assignee, actor)
            if data.tags is not msgspec.UNSET:
                await services.set_tags(session, case, data.tags, actor)
            if data.status is not msgspec.UNSET:
                await services.set_status(session, case, data.status, actor)
            return await services.case_view(session, case)

    @post("/{case_id:uuid}/notes", summary="Add an internal note")
    async def add_note(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        case_id: FromPath[uuid.UUID],
        data: JSONBody[FeedbackText],
    ) -> FeedbackCase:
        async with db.write() as session:
            case = await services.get_case(session, case_id)
            await services.add_note(session, case, data.text, actor_of(staff))
            return await services.case_view(session, case)

    @post("/{case_id:uuid}/reply", summary="Reply: shown with the receipt code, sent where a contact was given")
    async def reply(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        feedback_outbox: NamedDependency[Outbox],
        case_id: FromPath[uuid.UUID],
        data: JSONBody[FeedbackText],
    ) -> FeedbackCase:
        async with db.write() as session:
            case = await services.get_case(session, case_id)
            outgoing = await services.reply(session, case, data.text, actor_of(staff))
            view = await services.case_view(session, case)
        await send_reply(feedback_outbox, outgoing)
        return view

    @post("/{case_id:uuid}/redaction", summary="Replace what looks like personal data in the text")
    async def redact(
        self, db: NamedDependency[Database], staff: NamedDependency[Staff], case_id: FromPath[uuid.UUID]
    ) -> FeedbackRedaction:
        async with db.write() as session:
            case = await services.get_case(session, case_id)
            removed = await services.redact_case(session, case, actor_of(staff))
            return FeedbackRedaction(removed=dict(removed), case=await services.case_view(session, case))


@get(
    "/api/v1/feedback-counts",
    summary="Feedback received by topic × kind × language, disclosure-controlled",
    tags=["feedback"],
    opt={"access": "results:read"},
)
async def feedback_counts(
    read_session: NamedDependency[AsyncSession],
    year: Annotated[int, Parameter(ge=1900, le=9999, description="Calendar year the feedback was received in")],
    period: Annotated[Literal["year", "quarter"], Parameter(description="One table per year or per quarter")] = "year",
) -> FeedbackCounts:
    """Counts for the annual results: no count under 5 (10 for discrimination), never any text."""
    return await services.counts(read_session, year=year, period=period)
