"""Security headers on every response: a strict Content-Security-Policy (no inline script or style, no
framing), no MIME sniffing, no referrer, HSTS when served over HTTPS.

The interactive API docs under /schema (served only when SURVEY_API_DOCS is set) load Swagger UI, which
needs inline script and its CDN; only those pages get a looser policy, and only when they are served.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import Message, Scope

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


class SecurityHeaders:
    """Adds the security headers to every HTTP response (a route may set its own, stricter CSP).

    A ``before_send`` hook of the application rather than a middleware: middleware runs only on matched
    routes, and the 404 and 405 answers for unknown paths and methods need the headers as well.
    """

    def __init__(self, *, https: bool, api_docs: bool = False) -> None:
        self.https = https
        self.api_docs = api_docs
        self._strict = (_CSP, STRICT_CSP.encode())
        self._docs = (_CSP, DOCS_CSP.encode())
        self._hsts = (b"strict-transport-security", HSTS.encode())

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        path = scope.get("path", "")
        docs = self.api_docs and (path == "/schema" or path.startswith("/schema/"))
        headers = list(message.get("headers") or ())
        if not any(name.lower() == _CSP for name, _ in headers):
            headers.append(self._docs if docs else self._strict)
        headers.extend(_ALWAYS)
        if self.https or scope.get("scheme") == "https":
            headers.append(self._hsts)
        message["headers"] = headers
