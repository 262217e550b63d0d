"""Checking answers against a questionnaire: every kind of invalid answer is caught and named."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from survey_service.questionnaire.answers import CompiledQuestionnaire, compiled
from survey_service.questionnaire.loader import load
from tests.helpers import TEST_QUESTIONNAIRES

MINI = load(TEST_QUESTIONNAIRES / "mini")
C = CompiledQuestionnaire(MINI)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
VALID: dict[str, Any] = {
    "GETON": 1,
    "TRUST": 7,
    "CONTACT": "often",
    "CONTACT_GOOD": 8,
    "DISC_WORK": "yes",
    "DISC_HEALTH": "na",
    "GROUNDS": ["origin", "language"],
    "STORY": "Something happened.\nTwice.",
    "AGE": "30_64",
    "TONGUE": "other",
    "MOVED": 2015,
    "HOUSEHOLD": 3,
    "AREA_NAME": "Keskusta",
}


def errors(answers: dict[str, Any], **kwargs: Any) -> list[tuple[str, str]]:
    return [(e.item, e.message) for e in C.check(answers, now=NOW, **kwargs).errors]


def test_valid_answers_pass_unchanged() -> None:
    result = C.check(VALID, now=NOW)
    assert result.ok and result.answers == VALID


def test_only_the_required_question_is_needed() -> None:
    assert errors({"GETON": 2}) == []
    assert errors({}) == [("GETON", "an answer is required")]
    assert errors({}, require=False) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"NOPE": 1}, ("NOPE", "unknown question code")),
        ({"DISC": "yes"}, ("DISC", "unknown question code")),  # a matrix is not a variable, its rows are
        ({"GETON": 5}, ("GETON", "5 is not one of the choices (1, 2, 3, 4, 9)")),
        ({"GETON": "1"}, ("GETON", "'1' is not one of the choices (1, 2, 3, 4, 9)")),
        ({"GETON": True}, ("GETON", "True is not one of the choices (1, 2, 3, 4, 9)")),
        ({"TRUST": 11}, ("TRUST", "expected a whole number from 0 to 10")),
        ({"TRUST": 5.5}, ("TRUST", "expected a whole number from 0 to 10")),
        ({"DISC_WORK": "maybe"}, ("DISC_WORK", "'maybe' is not one of the choices (yes, no, na)")),
        ({"GROUNDS": "origin"}, ("GROUNDS", "expected a list of choice codes")),
        ({"GROUNDS": ["origin", "origin"]}, ("GROUNDS", "a choice is listed twice")),
        ({"GROUNDS": ["origin", "none"]}, ("GROUNDS", "an exclusive choice cannot be combined with others")),
        ({"GROUNDS": ["origin", "language", "other"]}, ("GROUNDS", "choose at most 2")),
        ({"STORY": "x" * 501}, ("STORY", "text is longer than 500 characters")),
        ({"STORY": "nul\x00byte"}, ("STORY", "text contains control characters")),
        ({"STORY": 12}, ("STORY", "expected text")),
        ({"MOVED": 2027}, ("MOVED", "expected a year from 1930 to 2026")),
        ({"MOVED": 1900}, ("MOVED", "expected a year from 1930 to 2026")),
        ({"HOUSEHOLD": 0}, ("HOUSEHOLD", "must be at least 1")),
        ({"HOUSEHOLD": 2.5}, ("HOUSEHOLD", "expected a whole number")),
        ({"HOUSEHOLD": float("nan")}, ("HOUSEHOLD", "expected a number")),
        ({"HOUSEHOLD": "3"}, ("HOUSEHOLD", "expected a number")),
    ],
)
def test_invalid_answer_is_named(change: dict[str, Any], expected: tuple[str, str]) -> None:
    assert errors({**VALID, **change}) == [expected]


def test_answer_to_a_question_hidden_by_skip_logic_is_refused() -> None:
    answers = {**VALID, "CONTACT": "never"}
    assert errors(answers) == [("CONTACT_GOOD", "this question is not asked with these answers (skip logic)")]
    answers = {**VALID, "DISC_WORK": "no", "DISC_HEALTH": "no"}
    assert errors(answers) == [("GROUNDS", "this question is not asked with these answers (skip logic)")]


def test_empty_values_count_as_not_answered() -> None:
    result = C.check({"GETON": 1, "STORY": "", "GROUNDS": [], "TRUST": None}, now=NOW)
    assert result.ok and result.answers == {"GETON": 1}


def test_text_input_is_typed_by_the_questionnaire() -> None:
    parsed = C.parse_text(
        {
            "GETON": "2",
            "TRUST": "99",
            "CONTACT": "often",
            "CONTACT_GOOD": " 4 ",
            "GROUNDS": "origin language",
            "HOUSEHOLD": "3",
            "MOVED": "2001",
            "AREA_NAME": "  Kuusankoski ",
            "DISC_WORK": "yes",
            "DISC_HEALTH": "",
        }
    )
    assert parsed.ok
    assert parsed.answers == {
        "GETON": 2,
        "TRUST": 99,
        "CONTACT": "often",
        "CONTACT_GOOD": 4,
        "DISC_WORK": "yes",
        "GROUNDS": ["origin", "language"],
        "HOUSEHOLD": 3,
        "MOVED": 2001,
        "AREA_NAME": "  Kuusankoski ",
    }
    assert C.check(parsed.answers, now=NOW).ok


def test_text_input_errors_are_named() -> None:
    parsed = C.parse_text({"GETON": "7", "HOUSEHOLD": "three", "GROUNDS": ["origin", "x"], "MOVED": "19x"})
    assert [(e.item, e.message) for e in parsed.errors] == [
        ("GETON", "'7' is not one of the choices (1, 2, 3, 4, 9)"),
        ("HOUSEHOLD", "expected a number"),
        ("GROUNDS", "'x' is not one of the choices (origin, language, other, none)"),
        ("MOVED", "expected a year"),
    ]


def test_compiled_form_is_reused_per_content_hash() -> None:
    assert compiled("hash-a", MINI) is compiled("hash-a", MINI)
    assert compiled("hash-a", MINI) is not compiled("hash-b", MINI)
