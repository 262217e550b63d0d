"""Browser tests: the real app under uvicorn on a free port, a migrated SQLite database with the shipped
questionnaire, and Debian's headless Chromium driven by Playwright; axe-core from node_modules.

Without /usr/bin/chromium (or node_modules/axe-core) these tests skip with the reason, except in CI
(the CI variable is set), where they fail.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from survey_service.db.engine import Database
from survey_service.domain.audit.services import COMMAND_LINE
from survey_service.domain.auth.services import create_user
from survey_service.domain.feedback import services as feedback
from survey_service.domain.invitations.services import create_invitations
from survey_service.domain.questionnaires.services import store
from survey_service.domain.surveys.services import create_survey, ensure_demo
from survey_service.questionnaire.loader import load
from tests.conftest import ROOT, in_thread, migrate
from tests.helpers import service_missing

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO = "good-relations-demo"
LETTERS = "good-relations-letters"
STAFF_USER = "e2e-admin"
STAFF_PASSWORD = "e2e staff password, long enough"


def _require(path: Path, what: str) -> None:
    if path.exists():
        return
    service_missing(f"{what} not found at {path}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    db_path: Path
    used_token: str

    def responses(self) -> list[dict[str, Any]]:
        """Completed responses, straight from the database file."""
        import sqlite3

        with sqlite3.connect(self.db_path) as conn:
            rows = conn.execute("SELECT language, answers FROM response WHERE status = 'complete'").fetchall()
        return [{"language": lang, "answers": json.loads(answers)} for lang, answers in rows]


async def _prepare(url: str) -> str:
    db = Database(url)
    try:
        async with db.write() as session:
            version = (await store(session, load(ROOT / "questionnaires" / "good-relations"), publish=True)).version
            await ensure_demo(session)
            letters = await create_survey(session, slug=LETTERS, version=version, year=2026, access="invitation")
            [invitation] = await create_invitations(session, letters, 1)
            # staff pages: an administrator (sees every page) and one feedback case for the inbox
            await create_user(session, COMMAND_LINE, STAFF_USER, "admin", STAFF_PASSWORD)
            message = feedback.check_submission(
                language="fi", topic="library", kind="suggestion", text="Kirjastoon lisää selkokirjoja, kiitos."
            )
            await feedback.submit(session, message)
        return invitation.token
    finally:
        await db.dispose()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e")
    db_path = tmp / "survey.db"
    url = f"sqlite+aiosqlite:///{db_path}"
    migrate(url)
    token = in_thread(asyncio.run, _prepare(url))
    port = _free_port()
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_VAR_DIR": str(tmp),
        "SURVEY_SECRET_KEY": "e2e-secret",
        "SURVEY_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SURVEY_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "uvicorn", "survey_service.app:create_app", "--factory", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--no-access-log"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # a busy machine can take a minute to start the app
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the app did not start")
        # The used invitation: answered once through the API.
        body = json.dumps({"language": "fi", "answers": {}, "token": token}).encode()
        request = urllib.request.Request(
            f"{base}/api/v1/surveys/{LETTERS}/responses", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 201
        yield Server(base, db_path, token)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope: Playwright's sync API runs an event loop of its own, which must be gone before the
    # async tests of other modules run in the same session.
    _require(CHROMIUM, "Chromium")
    _require(AXE, "axe-core (npm install)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the current page, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
