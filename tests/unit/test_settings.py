"""Settings come from SURVEY_* variables; the secret key is generated into var/ once, privately."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from survey_service.settings import Settings


def test_defaults_put_the_sqlite_database_under_var(tmp_path: Path) -> None:
    s = Settings.from_env({"SURVEY_VAR_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'survey.db'}"
    assert (s.host, s.port, s.log_level) == ("127.0.0.1", 8000, "INFO")


def test_secret_key_is_generated_once_with_private_permissions(tmp_path: Path) -> None:
    first = Settings.from_env({"SURVEY_VAR_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"SURVEY_VAR_DIR": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 40
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_secret_key_from_the_environment_is_not_written(tmp_path: Path) -> None:
    s = Settings.from_env({"SURVEY_VAR_DIR": str(tmp_path), "SURVEY_SECRET_KEY": "from-env"})
    assert s.secret_key == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_bad_values_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SURVEY_PORT must be an integer, not 'eighty'"):
        Settings.from_env({"SURVEY_VAR_DIR": str(tmp_path), "SURVEY_PORT": "eighty"})
    with pytest.raises(ValueError, match="SURVEY_LOG_LEVEL must be one of"):
        Settings.from_env({"SURVEY_VAR_DIR": str(tmp_path), "SURVEY_LOG_LEVEL": "loud"})
