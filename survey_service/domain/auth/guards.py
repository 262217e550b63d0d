"""The one guard: every route says who may call it, and this module enforces it.

Each route handler (or its controller/router) declares ``opt={"access": ...}``:

- ``"public"``: anyone; nothing is looked up.
- a permission name from ``permissions.PERMISSIONS`` (e.g. ``"questionnaires:write"``): a signed-in staff
  member whose role grants it.

Who is signed in depends only on where the route lives, never on what the client offers:

- routes under ``/api/`` accept ONLY ``Authorization: Bearer <API token>`` (cookies are ignored, so the
  API needs no CSRF protection);
- every other route (the staff pages under ``/staff/``) accepts ONLY the session cookie.

Anonymous callers get 401 (``WWW-Authenticate: Bearer``) from the API, and a 303 redirect to the login
page from HTML routes; signed-in callers without the permission get 403. Handlers receive the caller as
the ``staff`` dependency (``staff: NamedDependency[Staff]``); ``require(staff, permission)`` checks a
second permission inside a handler. ``undeclared_routes(app)`` lists routes without a valid declaration:
``create_app`` refuses to start when there are any.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Litestar, Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect, Response
from litestar.routes import HTTPRoute

from survey_service.db.engine import Database
from survey_service.domain.auth.permissions import PUBLIC, is_declared
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import staff_for_session, staff_for_token
from survey_service.errors import Forbidden, problem_response

API_PREFIX = "/api/"
SESSION_COOKIE = "staff_session"
SESSION_COOKIE_PATH = "/staff"
LOGIN_PATH = "/staff/login"
STATE_KEY = "staff"


def is_automatic_options(handler: BaseRouteHandler) -> bool:
    """Litestar's own OPTIONS handler of each path (it only lists the allowed methods): public."""
    name = getattr(getattr(handler, "fn", None), "__qualname__", "")
    return name.endswith("create_options_handler.<locals>.options_handler")


def access_of(handler: BaseRouteHandler) -> object:
    """The handler's declared access rule (``public`` for Litestar's automatic OPTIONS handlers)."""
    return "public" if is_automatic_options(handler) else handler.opt.get("access")


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIX)


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def identify(connection: ASGIConnection[Any, Any, Any, Any]) -> Staff | None:
    """The staff member behind this request: by bearer token on the API, by session cookie elsewhere."""
    db: Database = connection.app.state.db
    if is_api(connection.url.path):
        token = bearer_token(connection)
        if token is None:
            return None
        async with db.read() as session:
            return await staff_for_token(session, token)
    session_id = connection.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    async with db.read() as session:
        return await staff_for_session(session, session_id)


async def authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The app-wide guard: reads ``opt["access"]`` and answers 401/303 or 403 when it is not met."""
    access = access_of(handler)
    if not is_declared(access):
        # create_app refuses to start with such a route; refuse the request too rather than guess.
        raise PermissionDeniedException("this route declares no access rule")
    if access == PUBLIC:
        return
    staff = await identify(connection)
    if staff is None:
        raise NotAuthorizedException(
            "sign in first" if not is_api(connection.url.path) else "a valid API token is needed"
        )
    if not staff.can(str(access)):
        raise PermissionDeniedException(f"your role ({staff.role}) does not allow this ({access})")
    connection.state[STATE_KEY] = staff


def require(staff: Staff, permission: str) -> None:
    """Check a second permission inside a handler (e.g. importing with ``publish=true``)."""
    if not staff.can(permission):
        raise Forbidden(f"your role ({staff.role}) does not allow this ({permission})")


def provide_staff(request: Request[Any, Any, Any]) -> Staff:
    """The ``staff`` dependency: the caller the guard identified (only on routes that need a permission)."""
    staff = request.state.get(STATE_KEY)
    if staff is None:
        raise NotAuthorizedException("sign in first")
    return staff


def undeclared_routes(app: Litestar) -> list[str]:
    """``METHOD path`` of every route whose handler has no valid ``opt["access"]``."""
    missing = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not is_declared(access_of(handler)):
                methods = sorted(getattr(handler, "http_methods", None) or ["*"])
                missing.append(f"{','.join(methods)} {route.path}")
    return sorted(missing)


def http_routes(app: Litestar) -> list[tuple[str, str, BaseRouteHandler]]:
    """(method, path, handler) for every HTTP route of the app (the authorization-matrix test uses it)."""
    out = []
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for method, (handler, _) in route.route_handler_map.items():
                if method not in {"HEAD", "OPTIONS"}:
                    out.append((method, route.path, handler))
    return sorted(out, key=lambda r: (r[1], r[0]))


def login_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    """Where an anonymous visitor of a staff page goes: the login page, coming back afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query and request.method == "GET" else "")
    return Redirect(f"{LOGIN_PATH}?next={quote(target, safe='/')}", status_code=303)


def not_authorized_handler(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    if is_api(request.url.path):
        response = problem_response(401, exc.detail)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    return login_redirect(request)


def safe_next(target: str | None) -> str:
    """A same-site path to go to after signing in (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/staff/"
    return target
