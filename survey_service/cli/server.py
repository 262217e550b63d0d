"""Serving: the web server (with, embedded, a job worker) and job workers."""

from __future__ import annotations

import os
import sys

import click

from survey_service.settings import get_settings


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: SURVEY_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: SURVEY_PORT or 8000).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option(
    "--jobs/--no-jobs",
    "jobs",
    default=None,
    help="Start a job worker process with the server (default: yes with the embedded SQLite queue).",
)
def serve(host: str | None, port: int | None, workers: int, jobs: bool | None) -> None:
    """Serve the web application and API (and, embedded, a worker process for jobs)."""
    import subprocess

    import uvicorn

    settings = get_settings()
    job_worker = None
    if jobs if jobs is not None else settings.job_queue == "sqlite":
        # the worker stops by itself when this process ends (uvicorn ends it by re-raising SIGTERM)
        job_worker = subprocess.Popen(  # noqa: S603 (a fixed command: this Python, this package)
            [sys.executable, "-m", "survey_service.cli", "worker", "--exit-with", str(os.getpid())]
        )
    try:
        from survey_service.server import uvicorn_options

        options = uvicorn_options(settings)
        options.update({k: v for k, v in (("host", host), ("port", port)) if v})
        uvicorn.run("survey_service.app:create_app", factory=True, workers=workers, **options)
    finally:
        if job_worker is not None:
            job_worker.terminate()
            try:
                job_worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                job_worker.kill()


@click.command()
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True, help="Jobs run at once.")
@click.option("--nice", type=click.IntRange(0, 19), default=10, show_default=True, help="Lower CPU priority by this.")
@click.option("--exit-with", type=int, default=None, help="Stop when the process with this id has ended.")
def worker(threads: int, nice: int, exit_with: int | None) -> None:
    """Run jobs (reports, exports, imports, retention) from the queue until stopped (SIGTERM/SIGINT).

    Run as many as needed, on as many machines, against the same database and queue (SURVEY_JOB_QUEUE)."""
    from survey_service.jobs.worker import run_worker

    run_worker(get_settings(), threads=threads, nice=nice, parent=exit_with)
