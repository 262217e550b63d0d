"""create_app(): the whole wiring of the web service in one place."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin

from survey_service.db.engine import Database
from survey_service.domain.audit.controllers import audit_log, audit_page
from survey_service.domain.auth.controllers import UserController, me, revoke_token
from survey_service.domain.auth.deps import LoginThrottle, provide_login_throttle
from survey_service.domain.auth.guards import authorize, not_authorized_handler, provide_staff, undeclared_routes
from survey_service.domain.auth.pages import AuthPages, UserPages
from survey_service.domain.entries.controllers import enter_response
from survey_service.domain.entries.pages import EntryPages
from survey_service.domain.feedback.controllers import FeedbackCaseController, FeedbackController, feedback_counts
from survey_service.domain.feedback.deps import FeedbackLimits
from survey_service.domain.feedback.inbox import FeedbackInboxPages
from survey_service.domain.feedback.outbox import make_outbox
from survey_service.domain.feedback.pages import FeedbackPages
from survey_service.domain.invitations.pages import InvitationPages
from survey_service.domain.jobs.controllers import JobController
from survey_service.domain.jobs.pages import JobPages
from survey_service.domain.monitoring.controllers import wave_monitoring
from survey_service.domain.monitoring.pages import monitoring_page
from survey_service.domain.pages.controllers import ResidentPages
from survey_service.domain.questionnaires.controllers import QuestionnaireController
from survey_service.domain.questionnaires.pages import QuestionnairePages
from survey_service.domain.responses.controllers import ResponseController
from survey_service.domain.responses.deps import RateLimits, provide_rate_limits
from survey_service.domain.results_routes import RESULTS_ROUTES
from survey_service.domain.surveys.controllers import SurveyController, WaveController
from survey_service.domain.surveys.deps import provide_database, provide_read_session
from survey_service.domain.surveys.pages import WavePages
from survey_service.domain.system.controllers import health
from survey_service.errors import (
    DomainError,
    domain_error_handler,
    http_error_handler,
    nesting_error_handler,
    unexpected_error_handler,
    validation_error_handler,
)
from survey_service.ratelimit import limiter_factory
from survey_service.security import SecurityHeaders
from survey_service.settings import Settings, get_settings
from survey_service.web.staff import html_on_staff_pages, set_staff_language
from survey_service.web.templating import static_router, template_config

API_VERSION = "1"


def create_app(settings: Settings | None = None, database: Database | None = None) -> Litestar:
    """The Litestar application; ``database`` may be shared (tests) or is created from settings."""
    settings = settings or get_settings()
    db = database or Database(settings.database_url)
    limiters = limiter_factory(settings.redis_url, settings.secret_key)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if database is None:
                await db.dispose()

    app = Litestar(
        route_handlers=[
            # public: residents and the API for apps (no guard runs on these busy routes)
            health,
            SurveyController,
            static_router(),
            ResponseController,
            ResidentPages,
            FeedbackController,
            FeedbackPages,
            # staff: every route behind the one guard that enforces opt["access"] (domain/auth/guards.py);
            # create_app refuses to start if a route needing a permission is outside it
            Router(
                path="/",
                guards=[authorize],
                route_handlers=[
                    AuthPages,
                    UserPages,
                    me,
                    UserController,
                    revoke_token,
                    audit_log,
                    audit_page,
                    QuestionnaireController,
                    QuestionnairePages,
                    WaveController,
                    WavePages,
                    enter_response,
                    EntryPages,
                    InvitationPages,
                    wave_monitoring,
                    monitoring_page,
                    FeedbackCaseController,
                    FeedbackInboxPages,
                    feedback_counts,
                    *RESULTS_ROUTES,
                    JobController,
                    JobPages,
                ],
            ),
        ],
        template_config=template_config(),
        before_request=set_staff_language,
        dependencies={
            "db": Provide(provide_database, sync_to_thread=False),
            "read_session": Provide(provide_read_session),
            "rate_limits": Provide(provide_rate_limits, sync_to_thread=False),
            "staff": Provide(provide_staff, sync_to_thread=False),
            "login_throttle": Provide(provide_login_throttle, sync_to_thread=False),
        },
        exception_handlers={
            DomainError: html_on_staff_pages(domain_error_handler),
            ValidationException: html_on_staff_pages(validation_error_handler),
            NotAuthorizedException: not_authorized_handler,
            HTTPException: html_on_staff_pages(http_error_handler),
            RecursionError: html_on_staff_pages(nesting_error_handler),
            Exception: html_on_staff_pages(unexpected_error_handler),
        },
        openapi_config=OpenAPIConfig(
            title="Survey service",
            version=API_VERSION,
            description="Surveys and feedback for measuring good relations between population groups.",
            openapi_router=Router(path="/schema", route_handlers=[], opt={"access": "public"}, include_in_schema=False),
            # Swagger UI runs script from a CDN on the staff origin: only where an installation turns it on
            render_plugins=[JsonRenderPlugin(), *([SwaggerRenderPlugin(path="/")] if settings.api_docs else [])],
        ),
        logging_config=LoggingConfig(
            root={"level": logging.getLevelName(settings.log_level), "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        # Forms posted with cookies carry a CSRF token; /api/ authenticates with Bearer tokens only (never
        # cookies), so it is outside CSRF protection. The exclusions are regular expressions searched anywhere
        # in the path: anchored, so that a staff page whose path merely contains "api" or "health" (an account
        # or a wave named so) keeps its protection.
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="csrftoken",
            cookie_secure=settings.behind_https,
            cookie_samesite="lax",
            exclude=["^/api/", "^/health$", "^/schema(?:/|$)"],
        ),
        before_send=[SecurityHeaders(https=settings.behind_https, api_docs=settings.api_docs)],
        request_max_body_size=settings.max_body_bytes,
        lifespan=[lifespan],
        state=State(
            {
                "db": db,
                "settings": settings,
                "rate_limits": RateLimits(settings.rate_limit_per_hour, limiters),
                "feedback_limits": FeedbackLimits(settings, limiters),
                "feedback_outbox": make_outbox(settings),
                "login_throttle": LoginThrottle(limiters=limiters),
            }
        ),
        debug=False,
    )
    missing = undeclared_routes(app)
    if missing:
        raise RuntimeError(
            f"routes without an access rule (opt['access']) or outside the access guard: {', '.join(missing)}"
        )
    return app
