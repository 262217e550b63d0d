"""Security headers on every response: a strict Content-Security-Policy (no inline script or style, no
framing), no MIME sniffing, no referrer, HSTS when served over HTTPS.

The interactive API docs under /schema (served only when SURVEY_API_DOCS is set) load Swagger UI, which
needs inline script and its CDN; only those pages get a looser policy, and only when they are served.
"""

from __future__ import annotations

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


_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
_CSP = b"content-security-policy"


class SecurityHeadersMiddleware(ASGIMiddleware):
    """Adds the security headers to every HTTP response (a route may set its own, stricter CSP)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, *, https: bool, api_docs: bool = False) -> None:
        self.https = https
        self.api_docs = api_docs
        self._strict = (_CSP, STRICT_CSP.encode())
        self._docs = (_CSP, DOCS_CSP.encode())
        self._hsts = (b"strict-transport-security", HSTS.encode())

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope.get("path", "")
        docs = self.api_docs and (path == "/schema" or path.startswith("/schema/"))
        csp = self._docs if docs else self._strict
        extra = [*_ALWAYS, self._hsts] if self.https or scope.get("scheme") == "https" else list(_ALWAYS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or ())
                if not any(name.lower() == _CSP for name, _ in headers):
                    headers.append(csp)
                headers.extend(extra)
                message["headers"] = headers
            await send(message)

        await next_app(scope, receive, send_with_headers)
