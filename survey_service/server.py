"""How `survey-service serve` runs uvicorn: options that keep slow or numerous clients from holding it.

Without a reverse proxy in front, uvicorn alone faces the clients. Its keep-alive timeout only runs
between requests, so a client that sends one header line every few seconds would hold a connection for
ever. ``HeaderDeadlineProtocol`` gives every request head (request line and headers) a deadline from the
moment the connection opens or the previous response ends; ``limit_concurrency`` caps open connections
(beyond it, requests are answered 503 at once).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from survey_service.settings import Settings, get_settings


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request head does not arrive in time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # read here, not passed in: with several workers uvicorn starts each in a process of its own
        self.header_timeout = get_settings().header_timeout
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # the request head has arrived
            self._cancel_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._header_too_late)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _header_too_late(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` from the settings (everything but the app and the workers)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level.lower(),
        "access_log": False,  # access logs would record client addresses
        "server_header": False,
        "http": HeaderDeadlineProtocol,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": 5,
        # Behind a reverse proxy (nginx), trust its X-Forwarded-For/-Proto from these addresses only, so that
        # rate limits see the real client (which is never stored) and HTTPS is recognised.
        "proxy_headers": settings.forwarded_allow_ips is not None,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }
