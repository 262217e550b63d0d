"""Staff sign-in: sessions renewed on login and ended on logout, role change and deactivation; CSRF on
forms; login throttling; API tokens hashed, shown once and revocable; the API ignores cookies and the
pages ignore bearer tokens."""

from __future__ import annotations

import hashlib

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select

from survey_service.app import create_app
from survey_service.db.engine import Database
from survey_service.db.models import ApiToken, AuditEvent, StaffSession, StaffUser
from survey_service.domain.audit.services import COMMAND_LINE
from survey_service.domain.auth.services import set_active, set_role
from survey_service.settings import Settings
from tests.helpers import PASSWORD, api_token, ensure_csrf, login, post_form, set_cookie, staff_user


async def test_anonymous_staff_page_redirects_to_login_with_the_way_back(client: AsyncClient) -> None:
    r = await client.get("/staff/users")
    assert r.status_code == 303
    assert r.headers["location"] == "/staff/login?next=/staff/users"


async def test_anonymous_api_call_is_401_with_bearer_challenge(client: AsyncClient) -> None:
    r = await client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_login_sets_a_hardened_session_cookie_and_goes_back(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    await ensure_csrf(client)
    r = await post_form(client, "/staff/login", {"username": "Anna", "password": PASSWORD, "next": "/staff/account"})
    assert r.status_code == 303 and r.headers["location"] == "/staff/account"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("staff_session="))
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")}
    assert {"httponly", "path", "samesite"} <= attributes
    assert "samesite=lax" in cookie.lower() and "path=/staff" in cookie.lower()
    assert "secure" not in attributes  # not behind HTTPS in tests
    page = await client.get("/staff/account")
    assert page.status_code == 200 and "anna" in page.text


async def test_login_never_redirects_to_another_site(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = await post_form(client, "/staff/login", {"username": "anna", "password": PASSWORD, "next": target})
        assert r.headers["location"] == "/staff/"


async def test_session_cookie_is_secure_behind_https(settings, db: Database) -> None:  # type: ignore[no-untyped-def]
    import httpx
    import msgspec

    from survey_service.app import create_app

    app = create_app(msgspec.structs.replace(settings, behind_https=True), db)
    await staff_user(db, "anna", "designer")
    async with app.lifespan(), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as c:
        r = await login(c, "anna")
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("staff_session="))
    assert "secure" in cookie.lower()


async def test_wrong_password_is_refused_without_telling_which_part_was_wrong(
    client: AsyncClient, db: Database
) -> None:
    await staff_user(db, "anna", "designer")
    wrong_password = await post_form(client, "/staff/login", {"username": "anna", "password": "nope" * 4})
    unknown_user = await post_form(client, "/staff/login", {"username": "nobody", "password": "nope" * 4})
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert "The username or password is not right" in wrong_password.text
    assert "The username or password is not right" in unknown_user.text
    assert "staff_session=" not in wrong_password.headers.get("set-cookie", "")
    async with db.read() as session:
        failures = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed"))).all()
    assert [f.target for f in failures] == ["anna"]  # only existing accounts are logged, never addresses


async def test_session_id_known_before_login_cannot_be_used_after_it(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    await login(client, "anna")
    first = client.cookies.get("staff_session")
    await login(client, "anna")  # signing in again presents the old id: it is replaced and ended
    second = client.cookies.get("staff_session")
    assert first and second and first != second
    set_cookie(client, "staff_session", first, "/staff")
    assert (await client.get("/staff/account")).status_code == 303
    async with db.read() as session:
        hashes = set((await session.scalars(select(StaffSession.token_hash))).all())
    assert hashes == {hashlib.sha256(second.encode()).hexdigest()}  # only a hash is stored


async def test_attacker_chosen_session_id_is_not_adopted_at_login(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    set_cookie(client, "staff_session", "chosen-by-attacker", "/staff")
    await login(client, "anna")
    assert client.cookies.get("staff_session") != "chosen-by-attacker"


async def test_logout_ends_the_session_on_the_server(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    await login(client, "anna")
    session_id = client.cookies.get("staff_session")
    r = await post_form(client, "/staff/logout")
    assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    set_cookie(client, "staff_session", session_id or "", "/staff")  # a copy of the cookie kept elsewhere
    assert (await client.get("/staff/account")).status_code == 303


async def test_role_change_and_deactivation_end_sessions(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    await login(client, "anna")
    async with db.write() as session:
        await set_role(session, COMMAND_LINE, "anna", "analyst")
    assert (await client.get("/staff/account")).status_code == 303
    await login(client, "anna")
    assert "Analyst" in (await client.get("/staff/account")).text
    async with db.write() as session:
        await set_active(session, COMMAND_LINE, "anna", False)
    assert (await client.get("/staff/account")).status_code == 303
    r = await post_form(client, "/staff/login", {"username": "anna", "password": PASSWORD})
    assert r.status_code == 400


async def test_staff_form_post_without_a_valid_csrf_token_is_rejected(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "admin", "admin")
    await login(client, "admin")
    form = {"username": "mallory", "role": "admin", "password": "x" * 20}
    missing = await client.post("/staff/users", data=form)
    forged = await client.post("/staff/users", data={**form, "_csrf_token": "forged" * 20})
    assert missing.status_code == forged.status_code == 403
    assert "text/html" in missing.headers["content-type"]
    login_without_token = await client.post("/staff/login", data={"username": "admin", "password": PASSWORD})
    assert login_without_token.status_code == 403
    async with db.read() as session:
        assert (await session.scalars(select(AuditEvent).where(AuditEvent.target == "mallory"))).all() == []
    ok = await post_form(client, "/staff/users", form)
    assert ok.status_code == 200 and "Account mallory created" in ok.text


@pytest.mark.parametrize("name", ["health-officer", "api", "schema", "x-api-x"])
async def test_forms_about_an_account_named_like_an_excluded_path_still_need_the_csrf_token(
    client: AsyncClient, db: Database, name: str
) -> None:
    await staff_user(db, "admin", "admin")
    await staff_user(db, name, "analyst")
    await login(client, "admin")
    forged = await client.post(f"/staff/users/{name}/role", data={"role": "admin"})
    assert forged.status_code == 403
    async with db.read() as session:
        user = (await session.scalars(select(StaffUser).where(StaffUser.username == name))).one()
    assert user.role == "analyst"
    assert (await post_form(client, f"/staff/users/{name}/role", {"role": "admin"})).status_code == 200


async def test_failed_sign_ins_delay_only_their_username_and_address_pair(settings: Settings, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    app = create_app(settings, db)

    def client_at(address: str) -> AsyncClient:
        return AsyncClient(transport=ASGITransport(app=app, client=(address, 50000)), base_url="http://testserver")

    async with app.lifespan(), client_at("198.51.100.7") as guesser, client_at("203.0.113.9") as anna:
        for _ in range(3):
            r = await post_form(guesser, "/staff/login", {"username": "anna", "password": "wrong" * 4})
            assert r.status_code == 400
        r = await post_form(guesser, "/staff/login", {"username": "anna", "password": PASSWORD})
        assert r.status_code == 429 and "Too many failed sign-in attempts" in r.text
        other = await post_form(guesser, "/staff/login", {"username": "bertil", "password": "wrong" * 4})
        assert other.status_code == 400  # another username from the same address still gets its answer
        await login(anna, "anna")  # the guesses do not lock anna out: from her own address she signs in


async def test_successful_sign_ins_from_one_address_are_never_throttled(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    for _ in range(40):
        await login(client, "anna")


async def test_a_success_clears_the_pairs_failures(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    for _ in range(2):
        await post_form(client, "/staff/login", {"username": "anna", "password": "wrong" * 4})
    await login(client, "anna")
    for _ in range(3):
        r = await post_form(client, "/staff/login", {"username": "anna", "password": "wrong" * 4})
        assert r.status_code == 400


async def test_bearer_token_is_stored_hashed_and_revocable(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "admin", "admin")
    token = await api_token(db, "admin")
    headers = {"Authorization": f"Bearer {token}"}
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["username"] == "admin"
    async with db.read() as session:
        row = (await session.scalars(select(ApiToken))).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    r = await client.delete(f"/api/v1/tokens/{row.id}", headers=headers)
    assert r.status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_token_created_over_the_api_is_shown_once(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "admin", "admin")
    await staff_user(db, "script", "analyst")
    headers = {"Authorization": f"Bearer {await api_token(db, 'admin')}"}
    created = await client.post("/api/v1/users/script/tokens", json={"name": "nightly"}, headers=headers)
    assert created.status_code == 201
    token = created.json()["token"]
    listed = await client.get("/api/v1/users/script/tokens", headers=headers)
    assert token not in listed.text and listed.json()[0]["name"] == "nightly"
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "analyst"


async def test_deactivated_accounts_tokens_stop_working(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    token = await api_token(db, "anna")
    async with db.write() as session:
        await set_active(session, COMMAND_LINE, "anna", False)
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_reactivating_an_account_does_not_revive_its_old_tokens(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "anna", "designer")
    old = await api_token(db, "anna")
    async with db.write() as session:
        await set_active(session, COMMAND_LINE, "anna", False)
    async with db.write() as session:
        await set_active(session, COMMAND_LINE, "anna", True)
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"})).status_code == 401
    new = await api_token(db, "anna")
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"})).status_code == 200
    async with db.read() as session:
        tokens = list(await session.scalars(select(ApiToken)))
    assert sorted(t.revoked_at is None for t in tokens) == [False, True]


async def test_api_ignores_session_cookies_and_pages_ignore_bearer_tokens(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "admin", "admin")
    await login(client, "admin")
    set_cookie(client, "staff_session", client.cookies.get("staff_session") or "", "/")
    assert (await client.get("/api/v1/me")).status_code == 401
    token = await api_token(db, "admin")
    client.cookies.clear()
    r = await client.get("/staff/account", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 303


async def test_role_without_permission_gets_403(client: AsyncClient, db: Database) -> None:
    await staff_user(db, "dora", "data_entry")
    await login(client, "dora")
    page = await client.get("/staff/users")
    assert page.status_code == 403 and "text/html" in page.headers["content-type"]
    token = await api_token(db, "dora")
    api = await client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403 and api.json()["status"] == 403


async def test_password_change_keeps_this_session_and_ends_the_others(client: AsyncClient, db: Database) -> None:
    import httpx

    await staff_user(db, "anna", "designer")
    await login(client, "anna")
    other = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")  # a second browser
    async with other:
        await login(other, "anna")
        r = await post_form(client, "/staff/account/password", {"current": PASSWORD, "new": "a brand new passphrase"})
        assert r.status_code == 200 and "Your password has been changed" in r.text
        assert (await client.get("/staff/account")).status_code == 200
        assert (await other.get("/staff/account")).status_code == 303
    await post_form(client, "/staff/logout")
    await login(client, "anna", "a brand new passphrase")
