"""Staff pages of the auth area: sign in and out, the start page, one's own account, staff accounts."""

from __future__ import annotations

import math
import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from survey_service.db.engine import Database
from survey_service.db.models import ROLES
from survey_service.domain.audit.services import Actor, record
from survey_service.domain.auth import services
from survey_service.domain.auth.deps import LoginThrottle
from survey_service.domain.auth.guards import SESSION_COOKIE, SESSION_COOKIE_PATH, identify, safe_next
from survey_service.domain.auth.passwords import MIN_LENGTH
from survey_service.domain.auth.permissions import PERMISSIONS, ROLE_LABELS
from survey_service.domain.auth.schemas import Staff
from survey_service.errors import BadRequest, DomainError
from survey_service.settings import Settings
from survey_service.web.forms import Errors, form_fields, page_errors
from survey_service.web.i18n import STAFF_LANGUAGES, ngettext
from survey_service.web.i18n import gettext as _
from survey_service.web.staff import LANGUAGE_COOKIE, page

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def session_cookie(response: Response[Any], settings: Settings, value: str | None) -> Response[Any]:
    if value is None:
        response.delete_cookie(SESSION_COOKIE, path=SESSION_COOKIE_PATH)
    else:
        response.set_cookie(
            SESSION_COOKIE,
            value,
            path=SESSION_COOKIE_PATH,
            max_age=int(services.SESSION_LIFETIME.total_seconds()),
            httponly=True,
            secure=settings.behind_https,
            samesite="lax",
        )
    return response


class AuthPages(Controller):
    path = "/staff"
    include_in_schema = False

    @get("/login", opt={"access": "public"})
    async def login_form(self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None) -> Template:
        return page(request, "staff/login.html", title=_("Sign in"), next=safe_next(next), username="", errors=[])

    @post("/login", opt={"access": "public"})
    async def login(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        login_throttle: NamedDependency[LoginThrottle],
    ) -> Response[Any]:
        fields = await form_fields(request)
        username = services.normalise_username(fields.get("username", ""))[:100]
        password = fields.get("password", "")[:1024]
        target = safe_next(fields.get("next"))

        def again(message: str, status: int) -> Template:
            errors = [("username", message)]
            return page(
                request,
                "staff/login.html",
                title=_("Sign in"),
                next=target,
                username=username,
                errors=errors,
                status_code=status,
            )

        if not username or not password:
            return again(_("Enter your username and password."), 400)
        wait = await login_throttle.wait(request, username)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            return again(
                ngettext(
                    "Too many failed sign-in attempts. Wait %(num)d minute and try again.",
                    "Too many failed sign-in attempts. Wait %(num)d minutes and try again.",
                    minutes,
                ),
                429,
            )
        settings: Settings = request.app.state.settings
        async with db.write() as session:
            user = await services.check_password(session, username, password)
            if user is None:
                if await services.find_user(session, username) is not None:
                    await record(session, Actor("anonymous", "web"), "login.failed", username)
                failed = True
            else:
                failed = False
                token = await services.start_session(session, user, request.cookies.get(SESSION_COOKIE))
        if failed:
            await login_throttle.failed(request, username)
            return again(_("The username or password is not right, or the account is not active."), 400)
        await login_throttle.succeeded(request, username)
        return session_cookie(Redirect(target, status_code=303), settings, token)

    @post("/language", opt={"access": "public"})
    async def language(self, request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Response[Any]:
        """The language switch: remembered on the account when signed in, and in a cookie for the sign-in page."""
        fields = await form_fields(request)
        code = fields.get("language", "")
        if code not in STAFF_LANGUAGES:
            raise BadRequest(_("Choose one of the languages of the staff pages."))
        staff = await identify(request)
        if staff is not None:
            async with db.write() as session:
                await services.set_language(session, staff.id, code)
        response = Redirect(safe_next(fields.get("next")), status_code=303)
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            path=SESSION_COOKIE_PATH,
            max_age=LANGUAGE_COOKIE_AGE,
            httponly=True,
            secure=request.app.state.settings.behind_https,
            samesite="lax",
        )
        return response

    @post("/logout", opt={"access": "account:self"})
    async def logout(self, request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Response[Any]:
        async with db.write() as session:
            await services.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
        return session_cookie(Redirect("/staff/login", status_code=303), request.app.state.settings, None)

    @get(["/", ""], opt={"access": "account:self"})
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "staff/home.html", title=_("Staff pages"))

    @get("/account", opt={"access": "account:self"})
    async def account(self, request: Request[Any, Any, Any], staff: NamedDependency[Staff]) -> Template:
        return self._account(request, staff, [])

    def _account(self, request: Request[Any, Any, Any], staff: Staff, errors: Errors, **kw: Any) -> Template:
        permissions = [(p, d) for p, d in PERMISSIONS.items() if staff.can(p)]
        status = 400 if errors else 200
        return page(
            request,
            "staff/account.html",
            title=_("My account"),
            permissions=permissions,
            errors=errors,
            min_length=MIN_LENGTH,
            status_code=status,
            **kw,
        )

    @post("/account/password", opt={"access": "account:self"})
    async def change_password(
        self, request: Request[Any, Any, Any], db: NamedDependency[Database], staff: NamedDependency[Staff]
    ) -> Template:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                user = await services.check_password(session, staff.username, fields.get("current", ""))
                if user is None:
                    return self._account(request, staff, [("current", _("The current password is not right."))])
                await services.set_password(
                    session, services.actor_of(staff), user, fields.get("new", ""), staff.session_hash
                )
        except DomainError as exc:
            return self._account(request, staff, [("new", e) for _field, e in page_errors(exc)])
        return self._account(request, staff, [], notice=_("Your password has been changed."))


class UserPages(Controller):
    path = "/staff/users"
    include_in_schema = False
    opt = {"access": "users:manage"}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/")
    async def users(self, request: Request[Any, Any, Any], db: NamedDependency[Database]) -> Template:
        return await self._list(request, db, [], {})

    async def _list(
        self, request: Request[Any, Any, Any], db: Database, errors: Errors, values: dict[str, str], **kw: Any
    ) -> Template:
        async with db.read() as session:
            users = await services.list_users(session)
        return page(
            request,
            "staff/users.html",
            title=_("Staff accounts"),
            users=users,
            roles=ROLES,
            role_labels=ROLE_LABELS,
            errors=errors,
            values=values,
            status_code=400 if errors else 200,
            **kw,
        )

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], db: NamedDependency[Database], staff: NamedDependency[Staff]
    ) -> Template:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                user = await services.create_user(
                    session,
                    services.actor_of(staff),
                    fields.get("username", ""),
                    fields.get("role", ""),
                    fields.get("password", ""),
                )
        except DomainError as exc:
            return await self._list(request, db, page_errors(exc), fields)
        return await self._list(request, db, [], {}, notice=_("Account %(name)s created.") % {"name": user.username})

    @get("/{username:str}")
    async def user(
        self, request: Request[Any, Any, Any], db: NamedDependency[Database], username: FromPath[str]
    ) -> Template:
        return await self._user(request, db, username)

    async def _user(
        self, request: Request[Any, Any, Any], db: Database, username: str, errors: Errors | None = None, **kw: Any
    ) -> Template:
        async with db.read() as session:
            user = await services.get_user(session, username)
            tokens = [t for t, _ in await services.list_tokens(session, user.username)]
        return page(
            request,
            "staff/user.html",
            title=_("Staff account %(name)s") % {"name": user.username},
            user=user,
            tokens=tokens,
            roles=ROLES,
            role_labels=ROLE_LABELS,
            errors=errors or [],
            status_code=400 if errors else 200,
            **kw,
        )

    @post("/{username:str}/role")
    async def role(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        username: FromPath[str],
    ) -> Template:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                await services.set_role(session, services.actor_of(staff), username, fields.get("role", ""))
        except DomainError as exc:
            return await self._user(request, db, username, page_errors(exc))
        return await self._user(request, db, username, notice=_("Role changed; the account's sessions have ended."))

    @post("/{username:str}/active")
    async def active(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        username: FromPath[str],
    ) -> Template:
        fields = await form_fields(request)
        active = fields.get("active") == "yes"
        async with db.write() as session:
            await services.set_active(session, services.actor_of(staff), username, active)
        notice = (
            _("Account activated.") if active else _("Account deactivated; its sessions and API tokens stop working.")
        )
        return await self._user(request, db, username, notice=notice)

    @post("/{username:str}/password")
    async def password(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        username: FromPath[str],
    ) -> Template:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                user = await services.get_user(session, username)
                await services.set_password(session, services.actor_of(staff), user, fields.get("password", ""))
        except DomainError as exc:
            return await self._user(request, db, username, page_errors(exc))
        return await self._user(request, db, username, notice=_("Password set; the account's sessions have ended."))

    @post("/{username:str}/tokens")
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        username: FromPath[str],
    ) -> Template:
        fields = await form_fields(request)
        try:
            async with db.write() as session:
                row, token = await services.create_token(
                    session, services.actor_of(staff), username, fields.get("name", "")[:100]
                )
        except DomainError as exc:
            return await self._user(request, db, username, page_errors(exc))
        return await self._user(request, db, username, new_token=token, new_token_name=row.name)

    @post("/{username:str}/tokens/{token_id:uuid}/revoke")
    async def revoke_token(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        username: FromPath[str],
        token_id: FromPath[uuid.UUID],
    ) -> Template:
        async with db.write() as session:
            await services.revoke_token(session, services.actor_of(staff), token_id)
        return await self._user(request, db, username, notice=_("Token revoked."))
