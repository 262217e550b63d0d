"""The survey-service command as a user runs it: a real process with SURVEY_* settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, TEST_QUESTIONNAIRES

CLI = [sys.executable, "-m", "survey_service.cli"]


def run(
    args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120, input=input
    )


def test_every_command_has_help() -> None:
    for args in (
        [],
        ["serve"],
        ["db"],
        ["db", "upgrade"],
        ["db", "backup"],
        ["questionnaire"],
        ["questionnaire", "validate"],
        ["questionnaire", "load"],
        ["survey", "ensure-demo"],
        ["invitations"],
        ["invitations", "create"],
        ["user", "create"],
        ["user", "set-role"],
        ["user", "deactivate"],
        ["token", "create"],
        ["token", "revoke"],
    ):
        result = run([*args, "--help"])
        assert result.returncode == 0, result.stderr
        assert "Usage:" in result.stdout
        assert len(result.stdout.splitlines()) > 3


def test_validate_passes_a_good_definition() -> None:
    result = run(["questionnaire", "validate", str(TEST_QUESTIONNAIRES / "mini")])
    assert result.returncode == 0
    assert result.stdout.startswith("mini: valid (3 sections, 12 questions, languages fi, en)")


def test_validate_fails_with_located_messages(tmp_path: Path) -> None:
    text = (TEST_QUESTIONNAIRES / "mini" / "questionnaire.yaml").read_text()
    (tmp_path / "questionnaire.yaml").write_text(text.replace("show_if: \"CONTACT != 'never'\"", 'show_if: "AGE == 1"'))
    result = run(["questionnaire", "validate", str(tmp_path)])
    assert result.returncode == 1
    assert f"{tmp_path}/questionnaire.yaml: question CONTACT_GOOD: show_if: refers to 'AGE'" in result.stderr
    assert result.stderr.rstrip().endswith("1 problem(s) found")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrade_then_load_on_an_empty_database(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = request.getfixturevalue("empty_postgres_database")
    env = {"SURVEY_DATABASE_URL": url, "SURVEY_QUESTIONNAIRES_DIR": str(TEST_QUESTIONNAIRES)}
    upgraded = run(["db", "upgrade"], env)
    assert upgraded.returncode == 0, upgraded.stderr
    first = run(["questionnaire", "load"], env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "mini: version 1 created"
    again = run(["questionnaire", "load"], env)
    assert again.stdout.strip() == "mini: version 1 unchanged"


def test_make_run_setup_loads_the_default_questionnaire_and_a_demo_wave(tmp_path: Path) -> None:
    env = {"SURVEY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"}
    for args in (["db", "upgrade"], ["questionnaire", "load"]):
        result = run(args, env)
        assert result.returncode == 0, result.stderr
    assert "good-relations: version 1 created" in result.stdout
    first = run(["survey", "ensure-demo"], env)
    assert first.stdout.strip() == "survey good-relations-demo: created"
    assert run(["survey", "ensure-demo"], env).stdout.strip() == "survey good-relations-demo: exists"
