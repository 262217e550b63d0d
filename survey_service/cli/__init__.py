"""The ``survey-service`` command: one module per area, each a group (or commands) registered here."""

from __future__ import annotations

import os

import click

from survey_service.cli import database, feedback, invitations, questionnaires, results, server, surveys, users
from survey_service.cli.base import run_with_db
from survey_service.cli.database import alembic_config

__all__ = ["alembic_config", "main", "run_with_db"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Survey and feedback service for measuring good relations between population groups.

    Configuration comes from SURVEY_* environment variables (see README).
    """
    # Everything the service writes (database, exports, backups, letters, job files) is for the service user alone.
    os.umask(0o077)


for command in (
    server.serve,
    server.worker,
    database.db,
    database.retention,
    questionnaires.questionnaire,
    surveys.survey,
    invitations.invitations,
    feedback.feedback,
    users.user,
    users.token,
    *results.COMMANDS,
):
    main.add_command(command)
