"""Resident feedback pages: the form, the receipt, and reading the status and reply with the receipt code.

Plain HTML forms in every language of the service (no JavaScript needed), with the survey pages' layout,
language chooser and catalogues. Anonymous unless the resident asks for a reply. The receipt code is
posted, never put in an address, so it stays out of browser history and logs.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Response

from survey_service.db.engine import Database
from survey_service.db.models.feedback_case import Kind, Status, Topic
from survey_service.domain.feedback import services
from survey_service.domain.feedback.deps import MAX_BODY_BYTES, FeedbackLimits, provide_feedback_limits
from survey_service.domain.pages.schemas import FieldError
from survey_service.errors import BadRequest, NotFound, TooManyRequests
from survey_service.languages import SUPPORTED
from survey_service.settings import Settings
from survey_service.web.i18n import gettext as _
from survey_service.web.i18n import use_language
from survey_service.web.resident import accept_language, language_links, page

N_ = services.N_
DEFAULT_LANGUAGE = "fi"
Req = Request[Any, Any, Any]

TOPIC_LABELS = {
    Topic.EARLY_CHILDHOOD: N_("Early childhood education and day care"),
    Topic.SCHOOL: N_("School and education"),
    Topic.EMPLOYMENT: N_("Work and employment services"),
    Topic.HEALTH_SOCIAL: N_("Health and social services"),
    Topic.HOUSING: N_("Housing"),
    Topic.LEISURE: N_("Sports, culture and leisure"),
    Topic.LIBRARY: N_("Library"),
    Topic.TRANSPORT: N_("Public transport"),
    Topic.OTHER: N_("Something else"),
}
KIND_LABELS = {
    Kind.DISCRIMINATION: N_("Discrimination or unequal treatment"),
    Kind.SUGGESTION: N_("A suggestion"),
    Kind.PRAISE: N_("Praise"),
    Kind.OTHER: N_("Something else"),
}
KIND_HINTS = {
    Kind.DISCRIMINATION: N_(
        "You or someone close to you was treated unfairly or differently, for example because of origin, "
        "language, religion, disability or another personal characteristic."
    ),
}
STATUS_LABELS = {
    Status.NEW: N_("Received, waiting to be handled"),
    Status.IN_PROGRESS: N_("Being handled"),
    Status.ANSWERED: N_("Answered"),
    Status.CLOSED: N_("Closed"),
}


def _language(request: Req, requested: object) -> str:
    if isinstance(requested, str) and requested in SUPPORTED:
        return requested
    return accept_language(request, list(SUPPORTED)) or DEFAULT_LANGUAGE


class FeedbackPages(Controller):
    path = "/feedback"
    opt = {"access": "public"}  # noqa: RUF012 - Litestar reads it as a class attribute
    include_in_schema = False
    dependencies = {"feedback_limits": Provide(provide_feedback_limits, sync_to_thread=False)}  # noqa: RUF012

    def _form(
        self,
        request: Req,
        language: str,
        values: dict[str, str] | None = None,
        errors: list[FieldError] | None = None,
        status: int = 200,
    ) -> Response[str]:
        settings: Settings = request.app.state.settings
        return page(
            request,
            "resident/feedback_form.html",
            language,
            status=status,
            languages=language_links("/feedback", list(SUPPORTED), language),
            topics=TOPIC_LABELS,
            kinds=KIND_LABELS,
            kind_hints=KIND_HINTS,
            values=values or {},
            errors=errors or [],
            retention_months=settings.feedback_retention_months,
        )

    @get("/")
    async def form(self, request: Req, lang: FromQuery[str | None] = None) -> Response[str]:
        return self._form(request, _language(request, lang))

    @post("/", request_max_body_size=MAX_BODY_BYTES)
    async def send(
        self, request: Req, db: NamedDependency[Database], feedback_limits: NamedDependency[FeedbackLimits]
    ) -> Response[str]:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "_csrf_token"}
        language = _language(request, values.get("lang"))
        try:
            submission = services.check_submission(
                language=language,
                topic=values.get("topic", ""),
                kind=values.get("kind", ""),
                text=values.get("text", ""),
                contact=values.get("contact", ""),
                reply_wanted=values.get("reply") == "yes",
            )
            # Only messages that would be stored count against the limit, not a resident's mistakes.
            await feedback_limits.check(feedback_limits.submissions, request)
        except TooManyRequests:
            with use_language(language):
                message = _("Too many messages have been sent from this address. Please try again later.")
            return self._form(request, language, values, [FieldError("text", message)], status=429)
        except BadRequest as exc:
            with use_language(language):
                errors = [FieldError(e.item, _(e.message)) for e in exc.errors]
            return self._form(request, language, values, errors, status=422)
        async with db.write() as session:
            code = await services.submit(session, submission)
        return page(
            request,
            "resident/feedback_receipt.html",
            language,
            status=201,
            languages=[],
            code=code,
            reply_wanted=submission.contact is not None,
        )

    def _status_page(
        self,
        request: Req,
        language: str,
        result: Any = None,
        errors: list[FieldError] | None = None,
        status: int = 200,
    ) -> Response[str]:
        return page(
            request,
            "resident/feedback_status.html",
            language,
            status=status,
            languages=language_links("/feedback/status", list(SUPPORTED), language),
            result=result,
            status_labels=STATUS_LABELS,
            errors=errors or [],
        )

    @get("/status")
    async def status_form(self, request: Req, lang: FromQuery[str | None] = None) -> Response[str]:
        return self._status_page(request, _language(request, lang))

    @post("/status")
    async def status(
        self, request: Req, db: NamedDependency[Database], feedback_limits: NamedDependency[FeedbackLimits]
    ) -> Response[str]:
        form = await request.form()
        language = _language(request, form.get("lang"))
        try:
            await feedback_limits.check(feedback_limits.lookups, request)
            async with db.read() as session:
                result = await services.status_by_receipt(session, str(form.get("code", "")))
        except TooManyRequests:
            with use_language(language):
                message = _("Too many attempts from this address. Please try again later.")
            return self._status_page(request, language, errors=[FieldError("code", message)], status=429)
        except NotFound:
            with use_language(language):
                message = _("No feedback was found with this code. Check the code and try again.")
            return self._status_page(request, language, errors=[FieldError("code", message)], status=404)
        return self._status_page(request, language, result=result)
