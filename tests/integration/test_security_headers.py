"""Security headers on every kind of response: pages, API, errors, static files."""

from __future__ import annotations

import msgspec
import pytest
from httpx import ASGITransport, AsyncClient

from survey_service.app import create_app
from survey_service.db.engine import Database
from survey_service.security import DOCS_CSP, STRICT_CSP
from survey_service.settings import Settings


@pytest.mark.parametrize("path", ["/health", "/api/v1/surveys", "/api/v1/surveys/nope", "/static/css/site.css"])
async def test_every_response_carries_the_security_headers(client: AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.headers["content-security-policy"] == STRICT_CSP
    assert "frame-ancestors 'none'" in STRICT_CSP and "'unsafe-inline'" not in STRICT_CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in r.headers  # plain HTTP here


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no-such-page", 404), ("GET", "/staff/no-such-page", 404), ("POST", "/health", 405)],
)
async def test_unknown_paths_and_methods_carry_the_security_headers(
    client: AsyncClient, method: str, path: str, status: int
) -> None:
    r = await client.request(method, path)
    assert r.status_code == status
    assert r.headers["content-security-policy"] == STRICT_CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


async def test_without_api_docs_enabled_schema_pages_get_the_strict_policy(client: AsyncClient) -> None:
    for path in ("/schema", "/schema/openapi.json", "/schema/swagger"):
        r = await client.get(path)
        assert r.headers["content-security-policy"] == STRICT_CSP, path
        assert "cdn.jsdelivr.net" not in r.text


async def test_enabled_api_docs_alone_get_the_looser_policy(settings: Settings, db: Database) -> None:
    app = create_app(msgspec.structs.replace(settings, api_docs=True), db)
    async with app.lifespan(), AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        docs = await c.get("/schema")
        assert docs.status_code == 200 and docs.headers["content-security-policy"] == DOCS_CSP
        assert (await c.get("/health")).headers["content-security-policy"] == STRICT_CSP


async def test_hsts_over_https(client: AsyncClient) -> None:
    r = await client.get("https://testserver/health")
    assert r.headers["strict-transport-security"].startswith("max-age=")
