"""A real server for tests: the survey-service command in a subprocess, on a database of the test's."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.helpers import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SURVEY_DATABASE_URL": database_url,
        "SURVEY_SECRET_KEY": "live-test",
        "SURVEY_RATE_LIMIT_PER_HOUR": "0",
        "SURVEY_LOG_LEVEL": "WARNING",
        **extra,
    }


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "survey_service.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
    )
    return done.stdout


def prepare(env: dict[str, str]) -> None:
    """Schema, the shipped questionnaires and the open demo wave, as `make run` does."""
    for args in (["db", "upgrade"], ["questionnaire", "load"], ["survey", "ensure-demo"]):
        cli(env, *args)


def start(env: dict[str, str], port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "survey_service.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


@contextmanager
def serving(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    """A running server; yields its base URL and stops it afterwards."""
    port = free_port()
    proc = start(env, port, workers)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
