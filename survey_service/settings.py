"""Settings from SURVEY_* environment variables, read once per process."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

import msgspec

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
JOB_QUEUES = ("sqlite", "redis")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the service can be configured with; see README "Configuration"."""

    var_dir: Path
    database_url: str
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    questionnaires_dir: Path = Path("questionnaires")
    redis_url: str | None = None
    max_body_bytes: int = 256 * 1024
    behind_https: bool = False
    feedback_retention_months: int = 24
    feedback_rate_limit: int = 10
    feedback_outbox: str = "log"
    public_url: str = "http://127.0.0.1:8000"
    rate_limit_per_hour: int = 120
    forwarded_allow_ips: str | None = None
    header_timeout: float = 10.0
    api_docs: bool = False
    max_connections: int = 1000
    response_retention_months: int = 96
    partial_retention_days: int = 30
    job_queue: str = "sqlite"
    job_keep_days: int = 7
    job_stale_seconds: int = 60

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from the environment; the secret key is generated into ``var/`` when unset."""
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("SURVEY_VAR_DIR", "var")).resolve()
        database_url = env.get("SURVEY_DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir / 'survey.db'}"
        level = env.get("SURVEY_LOG_LEVEL", "INFO").upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"SURVEY_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
        return cls(
            var_dir=var_dir,
            database_url=database_url,
            secret_key=env.get("SURVEY_SECRET_KEY") or _secret_from_var(var_dir),
            host=env.get("SURVEY_HOST", "127.0.0.1"),
            port=_int(env, "SURVEY_PORT", 8000),
            log_level=level,
            questionnaires_dir=Path(env.get("SURVEY_QUESTIONNAIRES_DIR", "questionnaires")),
            redis_url=env.get("SURVEY_REDIS_URL") or None,
            max_body_bytes=_int(env, "SURVEY_MAX_BODY_BYTES", 256 * 1024),
            behind_https=env.get("SURVEY_BEHIND_HTTPS", "").lower() in {"1", "true", "yes"},
            feedback_retention_months=_positive(env, "SURVEY_FEEDBACK_RETENTION_MONTHS", 24),
            feedback_rate_limit=_positive(env, "SURVEY_FEEDBACK_RATE_LIMIT", 10),
            feedback_outbox=env.get("SURVEY_FEEDBACK_OUTBOX") or "log",
            public_url=(env.get("SURVEY_PUBLIC_URL") or _default_public_url(env)).rstrip("/"),
            rate_limit_per_hour=_int(env, "SURVEY_RATE_LIMIT_PER_HOUR", 120),
            forwarded_allow_ips=env.get("SURVEY_FORWARDED_ALLOW_IPS") or None,
            api_docs=env.get("SURVEY_API_DOCS", "").lower() in {"1", "true", "yes"},
            header_timeout=_positive(env, "SURVEY_HEADER_TIMEOUT", 10),
            max_connections=_positive(env, "SURVEY_MAX_CONNECTIONS", 1000),
            response_retention_months=_positive(env, "SURVEY_RESPONSE_RETENTION_MONTHS", 96),
            partial_retention_days=_positive(env, "SURVEY_PARTIAL_RETENTION_DAYS", 30),
            job_queue=_choice(env, "SURVEY_JOB_QUEUE", JOB_QUEUES),
            job_keep_days=_positive(env, "SURVEY_JOB_KEEP_DAYS", 7),
            job_stale_seconds=_positive(env, "SURVEY_JOB_STALE_SECONDS", 60),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _default_public_url(env: dict[str, str]) -> str:
    return f"http://{env.get('SURVEY_HOST', '127.0.0.1')}:{_int(env, 'SURVEY_PORT', 8000)}"


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from None


def _positive(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or choices[0]
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _secret_from_var(var_dir: Path) -> str:
    """Read ``var/secret_key``, creating it (mode 0600) on first run."""
    path = var_dir / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached)."""
    return Settings.from_env()
