"""The queue engine: huey, on a SQLite file beside the service's data (embedded) or on Redis (production).

The queue carries nothing but job ids; everything else about a job is in the service's ``job`` table, so
that authorisation, listing and the staff pages never depend on the engine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from survey_service.settings import Settings

QUEUE_NAME = "survey-jobs"
TASK_NAME = "run_job"


def queue_file(var_dir: Path) -> Path:
    return var_dir / "job-queue.db"


class Queue:
    """A huey instance with the one task it runs: ``runner.execute(job_id)``."""

    def __init__(self, huey: Huey) -> None:
        from survey_service.jobs.runner import execute

        self.huey = huey
        self._task = huey.task(name=TASK_NAME)(execute)

    def put(self, job_id: str) -> None:
        """Put a job id on the queue (blocking: call it from a thread in async code)."""
        self._task(job_id)


@lru_cache(maxsize=4)
def _queue(kind: str, where: str) -> Queue:
    if kind == "redis":
        return Queue(RedisHuey(QUEUE_NAME, url=where, results=False))
    Path(where).parent.mkdir(parents=True, exist_ok=True)
    # fsync: a queued job id is on disk before the request that queued it answers
    return Queue(SqliteHuey(QUEUE_NAME, filename=where, results=False, fsync=True, timeout=30))


def get_queue(settings: Settings) -> Queue:
    """The queue of these settings (one per process)."""
    if settings.job_queue == "redis":
        if not settings.redis_url:
            raise ValueError("SURVEY_JOB_QUEUE=redis needs SURVEY_REDIS_URL")
        return _queue("redis", settings.redis_url)
    return _queue("sqlite", str(queue_file(settings.var_dir)))
