"""The synthetic survey's XLSForm (imported by the end-to-end report test) and its YAML twin are the
same questionnaire."""

from __future__ import annotations

from survey_service.questionnaire.schema import canonical_json
from survey_service.questionnaire.xlsform import from_xlsform
from tests.helpers import synthetic
from tests.xlsform_synthetic import build


def test_xlsform_imports_to_the_same_definition_as_the_yaml() -> None:
    assert canonical_json(from_xlsform(build(), "synthetic.xlsx")) == canonical_json(synthetic())
