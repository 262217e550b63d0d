"""``python -m survey_service.cli``: the same as the ``survey-service`` command."""

from survey_service.cli import main

main()
