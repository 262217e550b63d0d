"""Security headers on every kind of response: pages, API, errors, static files."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from survey_service.security import DOCS_CSP, STRICT_CSP


@pytest.mark.parametrize("path", ["/health", "/api/v1/surveys", "/api/v1/surveys/nope", "/static/css/site.css"])
async def test_every_response_carries_the_security_headers(client: AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.headers["content-security-policy"] == STRICT_CSP
    assert "frame-ancestors 'none'" in STRICT_CSP and "'unsafe-inline'" not in STRICT_CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in r.headers  # plain HTTP here


async def test_only_the_api_docs_get_the_looser_policy(client: AsyncClient) -> None:
    r = await client.get("/schema")
    assert r.headers["content-security-policy"] == DOCS_CSP


async def test_hsts_over_https(client: AsyncClient) -> None:
    r = await client.get("https://testserver/health")
    assert r.headers["strict-transport-security"].startswith("max-age=")
