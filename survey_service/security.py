"""Security headers on every response: a strict Content-Security-Policy (no inline script or style, no
framing), no MIME sniffing, no referrer, HSTS when served over HTTPS.

The interactive API docs under /schema load Swagger UI, which needs inline script and its CDN; only
those pages get a looser policy.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://cdn.jsdelivr.net; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"


class SecurityHeadersMiddleware(ASGIMiddleware):
    """Adds the security headers to every HTTP response."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, *, https: bool) -> None:
        self.https = https

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope.get("path", "")
        csp = DOCS_CSP if path == "/schema" or path.startswith("/schema/") else STRICT_CSP
        https = self.https or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers.setdefault("content-security-policy", csp)
                headers["x-content-type-options"] = "nosniff"
                headers["referrer-policy"] = "no-referrer"
                headers["x-frame-options"] = "DENY"
                headers["cross-origin-opener-policy"] = "same-origin"
                headers["permissions-policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
                if https:
                    headers["strict-transport-security"] = HSTS
            await send(message)

        await next_app(scope, receive, send_with_headers)
