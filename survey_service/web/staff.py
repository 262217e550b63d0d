"""Rendering staff pages: the shared layout context, navigation by permission, and HTML error pages.

Staff pages are in English for now (every string is wrapped in ``_()`` for the catalogues to come).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.response import Response, Template

from survey_service.domain.auth.guards import STATE_KEY
from survey_service.domain.auth.permissions import ROLE_LABELS
from survey_service.domain.auth.schemas import Staff
from survey_service.errors import DomainError

STAFF_PREFIX = "/staff"
SITE_NAME = "Survey service · staff"

# (permission, path, label): the staff navigation, shown item by item to those who may use it.
NAVIGATION = (
    ("questionnaires:read", "/staff/questionnaires", "Questionnaires"),
    ("surveys:read", "/staff/surveys", "Survey waves"),
    ("results:read", "/staff/results", "Results"),
    ("responses:enter", "/staff/entry", "Paper entry"),
    ("feedback:handle", "/staff/feedback", "Feedback"),
    ("users:manage", "/staff/users", "Staff accounts"),
    ("audit:read", "/staff/audit", "Audit log"),
    ("account:self", "/staff/jobs", "Jobs"),
    ("account:self", "/staff/account", "My account"),
)


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    title: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A staff page extending base.html, with the navigation of the signed-in staff member (if any)."""
    staff: Staff | None = request.state.get(STATE_KEY)
    nav = [(path, label) for permission, path, label in NAVIGATION if staff and staff.can(permission)]
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "lang": "en",
            "dir": "ltr",
            "title": title,
            "site_name": SITE_NAME,
            "staff": staff,
            "role_label": ROLE_LABELS.get(staff.role, staff.role) if staff else "",
            "nav": nav,
            "current_path": request.url.path,
            **context,
        },
    )


def is_staff_page(request: Request[Any, Any, Any]) -> bool:
    return request.url.path == STAFF_PREFIX or request.url.path.startswith(STAFF_PREFIX + "/")


def html_on_staff_pages(
    handler: Callable[[Request[Any, Any, Any], Any], Response[Any]],
) -> Callable[[Request[Any, Any, Any], Any], Response[Any]]:
    """Wrap an exception handler: staff pages get an HTML error page, everything else ``handler``'s answer."""

    def wrapped(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
        response = handler(request, exc)
        if not is_staff_page(request):
            return response
        status = response.status_code or 500
        if isinstance(exc, DomainError | HTTPException) and status < 500:
            detail = str(exc.detail)
        else:
            detail = "The service could not complete the request."
        return page(request, "staff/error.html", title=f"Error {status}", status_code=status, detail=detail)

    return wrapped
