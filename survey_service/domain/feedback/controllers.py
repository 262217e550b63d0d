"""Feedback API: residents send a message and read back its status and reply with the receipt code."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.engine import Database
from survey_service.domain.feedback import services
from survey_service.domain.feedback.deps import MAX_BODY_BYTES, FeedbackLimits, provide_feedback_limits
from survey_service.domain.feedback.schemas import FeedbackCreate, FeedbackReceipt, FeedbackStatus


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
