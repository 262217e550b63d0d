"""`survey-service serve` on its own (no reverse proxy): slow clients are cut off and connections capped."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.live import cli, service_env, serving


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = service_env(
        f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('server') / 'survey.db'}",
        SURVEY_HEADER_TIMEOUT="2",
        SURVEY_MAX_CONNECTIONS="4",
    )
    cli(env, "db", "upgrade")
    with serving(env) as url:
        yield url


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _closed(sock: socket.socket) -> bool:
    sock.settimeout(0.05)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_a_request_head_sent_one_line_at_a_time_is_cut_off_at_the_header_timeout(server: str) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    start = time.monotonic()
    closed_after = None
    while time.monotonic() - start < 8:
        time.sleep(0.5)
        try:
            sock.sendall(b"X-Slow: 1\r\n")
        except OSError:
            closed_after = time.monotonic() - start
            break
        if _closed(sock):
            closed_after = time.monotonic() - start
            break
    sock.close()
    assert closed_after is not None and closed_after < 4, closed_after


def test_an_idle_connection_that_never_sends_a_request_is_closed(server: str) -> None:
    sock = _connect(server)
    time.sleep(3)
    assert _closed(sock)
    sock.close()


def test_connections_beyond_the_cap_are_answered_503_at_once(server: str) -> None:
    idle = [_connect(server) for _ in range(4)]
    time.sleep(0.3)
    try:
        assert httpx.get(f"{server}/health", timeout=5).status_code == 503
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)
    assert httpx.get(f"{server}/health", timeout=5).status_code == 200
