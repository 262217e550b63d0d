"""Rendering staff pages: the page language, the shared layout context, navigation by permission, and HTML
error pages.

The staff side speaks Finnish, Swedish and English (catalogue ``staff.po``). The language is the one the
staff member chose with the switch on every page (kept on the account, and in a cookie before signing in),
otherwise the first staff language the browser's Accept-Language asks for, otherwise English.
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
from survey_service.languages import endonym
from survey_service.web.forms import field_errors
from survey_service.web.i18n import FALLBACK, STAFF_LANGUAGES, current_language, use_staff_language
from survey_service.web.i18n import gettext as _

STAFF_PREFIX = "/staff"
LANGUAGE_COOKIE = "staff_language"


def N_(message: str) -> str:
    """Mark a message for the catalogue; it is translated where it is shown."""
    return message


SITE_NAME = N_("Survey service · staff")

# (permission, path, label): the staff navigation, shown item by item to those who may use it.
NAVIGATION = (
    ("questionnaires:read", "/staff/questionnaires", N_("Questionnaires")),
    ("surveys:read", "/staff/surveys", N_("Survey waves")),
    ("results:read", "/staff/results", N_("Results")),
    ("responses:enter", "/staff/entry", N_("Paper entry")),
    ("feedback:handle", "/staff/feedback", N_("Feedback")),
    ("users:manage", "/staff/users", N_("Staff accounts")),
    ("audit:read", "/staff/audit", N_("Audit log")),
    ("account:self", "/staff/jobs", N_("Jobs")),
    ("account:self", "/staff/account", N_("My account")),
)

# Values the templates translate as they show them: statuses and kinds of questionnaires, waves, translations.
SHOWN_VALUES = (
    N_("draft"),
    N_("published"),
    N_("reviewed"),
    N_("approved"),
    N_("outdated"),
    N_("untranslated"),
    N_("added"),
    N_("removed"),
    N_("changed"),
    N_("open"),
    N_("invitation"),
    N_("closed"),
    N_("not in this questionnaire"),
)

# What an error page says when the service's message is not in the page's language.
ERROR_MESSAGES = {
    400: N_("The request could not be completed. Check what you entered and try again."),
    403: N_("Your role does not allow this."),
    404: N_("This page or item does not exist."),
    409: N_("This conflicts with the current state of the service. Reload the page and try again."),
    413: N_("The file is too large."),
    422: N_("The request could not be completed. Check what you entered and try again."),
    429: N_("Too many attempts. Wait a moment and try again."),
    500: N_("The service could not complete the request."),
}


def browser_language(request: Request[Any, Any, Any]) -> str | None:
    """The first staff language the browser's Accept-Language asks for, by preference weight."""
    wanted = []
    for i, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        wanted.append((-weight, i, tag.strip().lower().split("-")[0]))
    for weight, _i, code in sorted(wanted):
        if code in STAFF_LANGUAGES and weight < 0:
            return code
    return None


def staff_language(request: Request[Any, Any, Any]) -> str:
    """The language of this request's staff page: chosen on the account, chosen before signing in, or asked
    for by the browser."""
    staff: Staff | None = request.state.get(STATE_KEY)
    if staff is not None and staff.language in STAFF_LANGUAGES:
        return staff.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in STAFF_LANGUAGES:
        return str(chosen)
    return browser_language(request) or FALLBACK


async def set_staff_language(request: Request[Any, Any, Any]) -> None:
    """Before every handler: staff pages in the staff member's language; elsewhere nothing is left over from
    an earlier request served in the same context (pages that translate say their language themselves)."""
    use_staff_language(staff_language(request) if is_staff_page(request) else FALLBACK)


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
    language = current_language()
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "lang": language,
            "dir": "ltr",
            "title": title,
            "site_name": _(SITE_NAME),
            "staff_languages": [(code, endonym(code), code == language) for code in STAFF_LANGUAGES],
            "staff": staff,
            "role_label": ROLE_LABELS.get(staff.role, staff.role) if staff else "",
            "nav": nav,
            "current_path": request.url.path,
            "current_url": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "field_errors": field_errors(context.get("errors") or []),
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
        use_staff_language(staff_language(request))
        status = response.status_code or 500
        detail = _(ERROR_MESSAGES.get(status, ERROR_MESSAGES[500]))
        if isinstance(exc, DomainError | HTTPException) and status < 500:
            # The service's own words when the catalogue has them (or the page is in English)
            said = str(exc.detail)
            if _(said) != said or current_language() == FALLBACK:
                detail = _(said)
        title = _("Error %(status)d") % {"status": status}
        return page(request, "staff/error.html", title=title, status_code=status, detail=detail)

    return wrapped
