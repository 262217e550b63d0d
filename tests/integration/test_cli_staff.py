"""Staff accounts and API tokens from the command line, as an operator runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_cli import run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"SURVEY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    assert run(["db", "upgrade"], env).returncode == 0
    return env


def test_user_and_token_lifecycle(env: dict[str, str]) -> None:
    created = run(
        ["user", "create", "Anna", "--role", "designer", "--password-stdin"], env, input="a long enough password\n"
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "created anna (designer)"
    again = run(
        ["user", "create", "anna", "--role", "admin", "--password-stdin"], env, input="a long enough password\n"
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    short = run(["user", "create", "bo", "--role", "admin", "--password-stdin"], env, input="short\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    bad_role = run(["user", "create", "bo", "--role", "boss", "--password-stdin"], env, input="x" * 20 + "\n")
    assert bad_role.returncode == 2 and "boss" in bad_role.stderr

    assert run(["user", "set-role", "anna", "analyst"], env).stdout.strip() == "anna is now analyst"
    token = run(["token", "create", "anna", "--name", "nightly export"], env)
    assert token.returncode == 0
    secret = token.stdout.strip()
    assert secret.startswith("sst_") and len(secret) > 40
    assert "shown only now" in token.stderr
    listed = run(["token", "list", "anna"], env).stdout
    assert "nightly export\tactive" in listed and secret not in listed
    token_id = listed.split("\t")[0]
    assert run(["token", "revoke", token_id], env).stdout.strip() == f"token {token_id} revoked"
    assert "revoked" in run(["token", "list"], env).stdout

    assert run(["user", "deactivate", "anna"], env).stdout.strip() == "anna deactivated"
    assert run(["user", "list"], env).stdout.strip() == "anna\tanalyst\tdeactivated"
    refused = run(["token", "create", "anna"], env)
    assert refused.returncode == 1 and "deactivated" in refused.stderr
