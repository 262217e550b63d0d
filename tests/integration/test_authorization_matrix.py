"""The authorization matrix, generated from the app's route table: every route x {anonymous, each role}.

The expected answer comes from the route's declared ``opt["access"]`` and the role -> permissions map:
public routes answer everyone; otherwise anonymous callers get 401 from the API and a 303 to the login
page from staff pages, roles without the permission get 403, and roles with it get past the guard. Every
request is a real one (session cookie + CSRF token for pages, bearer token for the API); routes listed in
``RECIPES`` get valid minimal requests, so their allowed calls must succeed (2xx/3xx); the others get
placeholder path values and must at least not be refused by the guard (nor fail with 5xx).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from litestar import Litestar, get

from survey_service.app import create_app
from survey_service.db.engine import Database
from survey_service.db.models import ROLES
from survey_service.domain.auth.guards import access_of, authorize, http_routes, is_api, undeclared_routes
from survey_service.domain.auth.permissions import PUBLIC, allows, is_declared
from survey_service.settings import Settings
from tests.helpers import TEST_QUESTIONNAIRES, api_token, csrf_token, ensure_csrf, login, staff_user

IDENTITIES: list[str | None] = [None, *ROLES]


@dataclass
class Call:
    """One request: path values, and a form (pages) or JSON body (API) or raw content."""

    path_values: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    succeeds: bool = True  # a permitted caller gets 2xx/3xx (False: only "not refused, no 5xx")


# Valid minimal requests per (method, path). Values come from the data made by ``_world``.
Q1 = {"slug": "mini", "number": "1"}
MINI_YAML = (TEST_QUESTIONNAIRES / "mini" / "questionnaire.yaml").read_bytes()
RECIPES: dict[tuple[str, str], Callable[[dict[str, str]], Call]] = {
    ("GET", "/api/v1/surveys/{slug:str}"): lambda w: Call({"slug": w["survey"]}),
    ("GET", "/api/v1/users/{username:str}/tokens"): lambda w: Call({"username": "target"}),
    ("POST", "/api/v1/users"): lambda w: Call(
        json={"username": f"new-{uuid.uuid4().hex[:8]}", "role": "analyst", "password": "p" * 16}
    ),
    ("PATCH", "/api/v1/users/{username:str}"): lambda w: Call({"username": "target"}, json={"role": "analyst"}),
    ("POST", "/api/v1/users/{username:str}/tokens"): lambda w: Call({"username": "target"}, json={"name": "m"}),
    ("DELETE", "/api/v1/tokens/{token_id:uuid}"): lambda w: Call({"token_id": w["target_token"]}),
    ("GET", "/static/{file_path:path}"): lambda w: Call({"file_path": "css/site.css"}),
    ("POST", "/staff/login"): lambda w: Call(form={"username": "nobody", "password": "x" * 12}, succeeds=False),
    ("POST", "/staff/logout"): lambda w: Call(form={}),
    ("POST", "/staff/account/password"): lambda w: Call(form={"current": "wrong", "new": "y" * 16}, succeeds=False),
    ("POST", "/staff/users"): lambda w: Call(
        form={"username": f"n{uuid.uuid4().hex[:8]}", "role": "analyst", "password": "p" * 16}
    ),
    ("GET", "/staff/users/{username:str}"): lambda w: Call({"username": "target"}),
    ("POST", "/staff/users/{username:str}/role"): lambda w: Call({"username": "target"}, form={"role": "designer"}),
    ("POST", "/staff/users/{username:str}/active"): lambda w: Call({"username": "target"}, form={"active": "yes"}),
    ("POST", "/staff/users/{username:str}/password"): lambda w: Call(
        {"username": "target"}, form={"password": "q" * 16}
    ),
    ("POST", "/staff/users/{username:str}/tokens"): lambda w: Call({"username": "target"}, form={"name": "m"}),
    ("POST", "/staff/users/{username:str}/tokens/{token_id:uuid}/revoke"): lambda w: Call(
        {"username": "target", "token_id": w["target_token"]}, form={}
    ),
    # questionnaires (world: "mini" version 1 published, fielded by a wave)
    ("GET", "/api/v1/questionnaires/{slug:str}/versions/{number:int}"): lambda w: Call(Q1),
    ("GET", "/api/v1/questionnaires/{slug:str}/versions/{number:int}/xlsform"): lambda w: Call(Q1),
    ("GET", "/api/v1/questionnaires/{slug:str}/versions/{number:int}/translations"): lambda w: Call(Q1),
    ("GET", "/api/v1/questionnaires/{slug:str}/versions/{number:int}/translations/{lang:str}"): lambda w: Call(
        {**Q1, "lang": "en"}
    ),
    ("GET", "/api/v1/questionnaires/{slug:str}/diff"): lambda w: Call({"slug": "mini"}, query={"old": "1", "new": "1"}),
    ("POST", "/api/v1/questionnaires/import"): lambda w: Call(query={"filename": "mini.yaml"}, content=MINI_YAML),
    ("GET", "/staff/questionnaires/{slug:str}"): lambda w: Call({"slug": "mini"}),
    ("GET", "/staff/questionnaires/{slug:str}/{number:int}"): lambda w: Call(Q1),
    ("GET", "/staff/questionnaires/{slug:str}/{number:int}/preview"): lambda w: Call(Q1, query={"lang": "en"}),
    ("GET", "/staff/questionnaires/{slug:str}/{number:int}/xlsform"): lambda w: Call(Q1),
    ("GET", "/staff/questionnaires/{slug:str}/{number:int}/translations"): lambda w: Call(Q1),
    ("GET", "/staff/questionnaires/{slug:str}/{number:int}/translations/{lang:str}"): lambda w: Call(
        {**Q1, "lang": "sv"}
    ),
    ("GET", "/staff/questionnaires/{slug:str}/diff"): lambda w: Call({"slug": "mini"}),
    # waves (world: "mini-2026")
    ("GET", "/api/v1/waves/{slug:str}"): lambda w: Call({"slug": w["survey"]}),
    ("POST", "/api/v1/waves"): lambda w: Call(
        json={"slug": f"w-{uuid.uuid4().hex[:8]}", "questionnaire": "mini", "year": 2026}
    ),
    ("POST", "/staff/surveys"): lambda w: Call(
        form={"slug": f"w-{uuid.uuid4().hex[:8]}", "questionnaire": "mini@1", "year": "2026"}
    ),
    # annual results (world: "mini-2026", no responses yet)
    ("POST", "/api/v1/plans"): lambda w: Call(
        json={"slug": f"p-{uuid.uuid4().hex[:8]}", "name": "Plan", "start_year": 2025, "end_year": 2027}
    ),
    ("GET", "/api/v1/surveys/{slug:str}/margins"): lambda w: Call({"slug": w["survey"]}),
    ("GET", "/api/v1/surveys/{slug:str}/export"): lambda w: Call({"slug": w["survey"]}),
    ("GET", "/api/v1/surveys/{slug:str}/export/codebook.csv"): lambda w: Call({"slug": w["survey"]}),
    ("POST", "/staff/results/plans"): lambda w: Call(
        form={"slug": f"p-{uuid.uuid4().hex[:8]}", "name": "Plan", "start_year": "2025", "end_year": "2027"}
    ),
    ("GET", "/staff/results/{slug:str}/export"): lambda w: Call({"slug": w["survey"]}, query={"format": "ddi"}),
    # jobs (queued only: no worker runs in this test; a job's own routes are tried with a made-up id)
    ("POST", "/api/v1/jobs/reports"): lambda w: Call(json={"survey": w["survey"], "format": "csv"}),
    ("POST", "/api/v1/jobs/exports"): lambda w: Call(json={"survey": w["survey"], "format": "csv"}),
    ("POST", "/api/v1/jobs/retention"): lambda w: Call(json={"dry_run": True}),
    ("GET", "/api/v1/jobs"): lambda w: Call(),
    ("GET", "/staff/jobs"): lambda w: Call(),
    ("POST", "/staff/jobs/reports"): lambda w: Call(form={"survey": w["survey"], "format": "csv", "lang": "fi"}),
    ("POST", "/staff/jobs/exports"): lambda w: Call(form={"survey": w["survey"], "format": "csv"}),
    # paper entry, invitations, monitoring (world: the open wave, and "inv-2026" for invitations)
    ("GET", "/staff/entry"): lambda w: Call(),
    ("GET", "/staff/entry/{slug:str}"): lambda w: Call({"slug": w["survey"]}, query={"lang": "en"}),
    ("POST", "/staff/entry/{slug:str}"): lambda w: Call(
        {"slug": w["survey"]}, form={"mode": "paper", "language": "fi", "GETON": "1"}
    ),
    ("POST", "/api/v1/waves/{slug:str}/entries"): lambda w: Call(
        {"slug": w["survey"]}, json={"mode": "interview", "language": "fi", "answers": {"GETON": 2}}
    ),
    ("GET", "/staff/surveys/{slug:str}/invitations"): lambda w: Call({"slug": w["invitation_survey"]}),
    ("POST", "/staff/surveys/{slug:str}/invitations"): lambda w: Call(
        {"slug": w["invitation_survey"]}, form={"count": "2", "letters": "yes"}
    ),
    ("GET", "/api/v1/waves/{slug:str}/monitoring"): lambda w: Call({"slug": w["invitation_survey"]}),
    ("GET", "/staff/surveys/{slug:str}/monitoring"): lambda w: Call({"slug": w["survey"]}),
    # feedback (world: one case and its receipt code)
    ("POST", "/api/v1/feedback"): lambda w: Call(
        json={"language": "fi", "topic": "other", "kind": "other", "text": "x"}
    ),
    ("GET", "/api/v1/feedback/{receipt:str}"): lambda w: Call({"receipt": w["receipt"]}),
    # the form shares the per-address limit with the API: only checked to pass the guard
    ("POST", "/feedback"): lambda w: Call(
        form={"lang": "fi", "topic": "other", "kind": "other", "text": "x"}, succeeds=False
    ),
    ("POST", "/feedback/status"): lambda w: Call(form={"lang": "fi", "code": w["receipt"]}),
    ("GET", "/api/v1/feedback-counts"): lambda w: Call(query={"year": "2026"}),
    ("GET", "/api/v1/feedback-cases/{case_id:uuid}"): lambda w: Call({"case_id": w["case"]}),
    ("PATCH", "/api/v1/feedback-cases/{case_id:uuid}"): lambda w: Call({"case_id": w["case"]}, json={"tags": ["t"]}),
    ("POST", "/api/v1/feedback-cases/{case_id:uuid}/notes"): lambda w: Call({"case_id": w["case"]}, json={"text": "n"}),
    ("POST", "/api/v1/feedback-cases/{case_id:uuid}/reply"): lambda w: Call({"case_id": w["case"]}, json={"text": "r"}),
    ("POST", "/api/v1/feedback-cases/{case_id:uuid}/redaction"): lambda w: Call({"case_id": w["case"]}),
    ("GET", "/staff/feedback/{case_id:uuid}"): lambda w: Call({"case_id": w["case"]}),
    ("POST", "/staff/feedback/{case_id:uuid}/status"): lambda w: Call({"case_id": w["case"]}, form={"status": "new"}),
    ("POST", "/staff/feedback/{case_id:uuid}/assignee"): lambda w: Call({"case_id": w["case"]}, form={"assignee": ""}),
    ("POST", "/staff/feedback/{case_id:uuid}/tags"): lambda w: Call({"case_id": w["case"]}, form={"tags": "t"}),
    ("POST", "/staff/feedback/{case_id:uuid}/notes"): lambda w: Call({"case_id": w["case"]}, form={"note": "n"}),
    ("POST", "/staff/feedback/{case_id:uuid}/reply"): lambda w: Call({"case_id": w["case"]}, form={"reply": "r"}),
    ("POST", "/staff/feedback/{case_id:uuid}/redaction"): lambda w: Call({"case_id": w["case"]}, form={}),
}
# Routes that end the caller's own session run last.
LAST = {("POST", "/staff/logout")}
LOGIN_REDIRECT = "/staff/login?next="
PLACEHOLDERS = {"str": "x", "int": "1", "uuid": str(uuid.UUID(int=0)), "path": "x", "date": "2026-01-01"}


def expectation(access: object, identity: str | None, path: str) -> int | str:
    """What the guard must answer: "allowed", 401 (API) / 303 (pages) for anonymous, or 403."""
    if not is_declared(access):
        raise AssertionError(f"{path} declares no valid access rule (opt['access'] = {access!r})")
    if access == PUBLIC:
        return "allowed"
    if identity is None:
        return 401 if is_api(path) else 303
    return "allowed" if allows(identity, str(access)) else 403


def matrix_rows(app: Litestar) -> list[tuple[str, str, object]]:
    """(method, path, access) of every route; fails on a route without a valid declaration."""
    rows = []
    for method, path, handler in http_routes(app):
        access = access_of(handler)
        expectation(access, None, path)
        rows.append((method, path, access))
    return sorted(rows, key=lambda r: ((r[0], r[1]) in LAST, r[1], r[0]))


def fill(path: str, values: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        name, kind = m.group(1), m.group(2)
        return values.get(name, PLACEHOLDERS.get(kind, "x"))

    return re.sub(r"\{(\w+):(\w+)\}", one, path)


async def _world(db: Database) -> dict[str, str]:
    """The data the recipes refer to (extended as areas add routes)."""
    await staff_user(db, "target", "designer")
    from sqlalchemy import select

    from survey_service.db.models import ApiToken

    await api_token(db, "target")
    async with db.read() as session:
        token_id = (await session.scalars(select(ApiToken.id))).one()
    from tests.helpers import open_survey

    survey = await open_survey(db)
    invited = await open_survey(db, "inv-2026", access="invitation")
    from survey_service.db.models import FeedbackCase
    from survey_service.domain.feedback import services as feedback

    async with db.write() as session:
        message = feedback.check_submission(language="fi", topic="other", kind="other", text="Hei Matti, x")
        receipt = await feedback.submit(session, message)
        case_id = (await session.scalars(select(FeedbackCase.id))).one()
    return {
        "target_token": str(token_id),
        "survey": survey.slug,
        "invitation_survey": invited.slug,
        "case": str(case_id),
        "receipt": receipt,
    }


async def test_every_route_answers_every_identity_as_its_declared_access_says(settings: Settings, db: Database) -> None:
    app = create_app(settings, db)
    world = await _world(db)
    rows = matrix_rows(app)
    transport = httpx.ASGITransport(app=app)
    clients: dict[str | None, httpx.AsyncClient] = {}
    tokens: dict[str | None, str] = {}
    failures: list[str] = []
    async with app.lifespan():
        for identity in IDENTITIES:
            c = clients[identity] = httpx.AsyncClient(transport=transport, base_url="http://testserver")
            await ensure_csrf(c)
            if identity is not None:
                await staff_user(db, f"m-{identity}", identity)
                await login(c, f"m-{identity}")
                tokens[identity] = await api_token(db, f"m-{identity}")
        try:
            for method, path, access in rows:
                recipe = RECIPES.get((method, path))
                for identity in IDENTITIES:
                    call = recipe(world) if recipe else Call(form={} if method != "GET" else None, succeeds=False)
                    want = expectation(access, identity, path)
                    got = await _send(clients[identity], tokens.get(identity), method, path, call)
                    problem = _judge(want, got, call, recipe is not None)
                    if problem:
                        failures.append(f"{method} {path} as {identity or 'anonymous'} ({access}): {problem}")
        finally:
            for c in clients.values():
                await c.aclose()
    assert not failures, "\n".join(failures)
    assert len(rows) >= 30


async def _send(client: httpx.AsyncClient, token: str | None, method: str, path: str, call: Call) -> httpx.Response:
    url = fill(path, call.path_values)
    headers = dict(call.headers)
    if is_api(path):
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return await client.request(
            method, url, params=call.query, json=call.json, content=call.content, headers=headers
        )
    headers["x-csrftoken"] = csrf_token(client)
    data = call.form if call.form is not None else None
    return await client.request(method, url, params=call.query, data=data, content=call.content, headers=headers)


def _judge(want: int | str, got: httpx.Response, call: Call, has_recipe: bool) -> str | None:
    status = got.status_code
    if want == 303:
        if status != 303 or not got.headers.get("location", "").startswith(LOGIN_REDIRECT):
            return f"expected 303 to the login page, got {status}"
        return None
    if want in (401, 403):
        return None if status == want else f"expected {want}, got {status}"
    if status in (401, 403) or (status == 303 and got.headers.get("location", "").startswith(LOGIN_REDIRECT)):
        return f"expected to pass the guard, got {status}"
    if status >= 500:
        return f"server error {status}"
    if has_recipe and call.succeeds and status >= 400:
        return f"expected success, got {status}: {got.text[:200]}"
    return None


def test_a_route_without_an_access_rule_fails_the_matrix_and_the_app() -> None:
    @get("/undeclared", sync_to_thread=False)
    def undeclared() -> str:
        return "reachable"

    @get("/declared", opt={"access": "public"}, sync_to_thread=False)
    def declared() -> str:
        return "fine"

    throwaway = Litestar(route_handlers=[undeclared, declared], guards=[authorize], openapi_config=None)
    assert undeclared_routes(throwaway) == ["GET /undeclared"]
    with pytest.raises(AssertionError, match="/undeclared declares no valid access rule"):
        matrix_rows(throwaway)


def test_a_misspelt_permission_counts_as_undeclared() -> None:
    @get("/typo", opt={"access": "questionaires:read"}, sync_to_thread=False)
    def typo() -> str:
        return "x"

    assert undeclared_routes(Litestar(route_handlers=[typo], openapi_config=None)) == ["GET /typo"]


def test_a_staff_route_outside_the_guard_counts_as_undeclared() -> None:
    @get("/unguarded", opt={"access": "results:read"}, sync_to_thread=False)
    def unguarded() -> str:
        return "would be open to anyone"

    @get("/guarded", opt={"access": "results:read"}, guards=[authorize], sync_to_thread=False)
    def guarded() -> str:
        return "fine"

    app = Litestar(route_handlers=[unguarded, guarded], openapi_config=None)
    assert undeclared_routes(app) == ["GET /unguarded"]


async def test_guard_refuses_an_undeclared_route_at_run_time() -> None:
    @get("/undeclared", sync_to_thread=False)
    def undeclared() -> str:
        return "reachable"

    throwaway = Litestar(route_handlers=[undeclared], guards=[authorize], openapi_config=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=throwaway), base_url="http://t") as c:
        r = await c.get("/undeclared")
    assert r.status_code == 403 and "reachable" not in r.text


def test_create_app_refuses_to_start_with_an_undeclared_route(monkeypatch: pytest.MonkeyPatch) -> None:
    import survey_service.app as app_module

    @get("/undeclared", sync_to_thread=False)
    def undeclared() -> str:
        return "reachable"

    monkeypatch.setattr(app_module, "health", undeclared)
    with pytest.raises(RuntimeError, match="GET /undeclared"):
        create_app()
