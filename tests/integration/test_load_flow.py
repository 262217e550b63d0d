"""The whole resident flow under concurrent load (a reduced run of benchmarks/flow.py): every respondent
that reached the thank-you page is stored exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_concurrent_respondents_are_each_stored_exactly_once(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    args = [sys.executable, "benchmarks/flow.py", "--respondents", "40", "--concurrency", "10"]
    if backend == "postgres":
        args += ["--database-url", request.getfixturevalue("empty_postgres_database")]
    else:
        args += ["--database-url", f"sqlite+aiosqlite:///{tmp_path / 'flow.db'}"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "respondents: 40 completed, 0 failed" in done.stdout
    assert "stored exactly once: ok (40 complete responses stored for 40)" in done.stdout
