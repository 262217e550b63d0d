"""The page flow: sections split where skip logic reads the same page, and resident-friendly error texts."""

from __future__ import annotations

import pytest

from survey_service.domain.pages.services import friendly_message, next_step, prune_hidden, resume_step, steps
from survey_service.questionnaire.answers import CompiledQuestionnaire
from survey_service.web.i18n import use_language
from tests.helpers import mini


@pytest.fixture(scope="module")
def cq() -> CompiledQuestionnaire:
    return CompiledQuestionnaire(mini())


def test_a_follow_up_on_the_same_page_starts_a_next_step(cq: CompiledQuestionnaire) -> None:
    assert [(s.id, [q.code for q in s.questions]) for s in steps(cq)] == [
        ("opinions", ["GETON", "TRUST", "CONTACT"]),
        ("opinions-2", ["CONTACT_GOOD"]),
        ("experiences", ["DISC"]),
        ("experiences-2", ["GROUNDS", "STORY"]),
        ("background", ["AGE", "TONGUE", "MOVED", "HOUSEHOLD", "AREA_NAME"]),
    ]


def test_hidden_steps_are_skipped_and_resume_goes_to_the_first_unanswered(cq: CompiledQuestionnaire) -> None:
    first = steps(cq)[0]
    following = next_step(cq, first, {"CONTACT": "never"})
    assert following is not None and following.id == "experiences"
    following = next_step(cq, first, {"CONTACT": "often"})
    assert following is not None and following.id == "opinions-2"
    resumed = resume_step(cq, {"GETON": 1, "CONTACT": "never"})
    assert resumed is not None and resumed.id == "experiences"


def test_answers_that_skip_logic_now_hides_are_dropped(cq: CompiledQuestionnaire) -> None:
    assert prune_hidden(cq, {"CONTACT": "never", "CONTACT_GOOD": 3, "GETON": 1}) == {"CONTACT": "never", "GETON": 1}


@pytest.mark.parametrize(
    ("answers", "item", "finnish"),
    [
        ({}, "GETON", "Vastaa tähän kysymykseen."),
        ({"GETON": 7}, "GETON", "Valitse yksi vaihtoehdoista."),
        ({"GETON": 1, "TRUST": 12}, "TRUST", "Valitse luku väliltä 0–10."),
        ({"GETON": 1, "HOUSEHOLD": 30}, "HOUSEHOLD", "Kirjoita luku, joka on enintään 20."),
        ({"GETON": 1, "HOUSEHOLD": 0}, "HOUSEHOLD", "Kirjoita luku, joka on vähintään 1."),
        ({"GETON": 1, "HOUSEHOLD": 1.5}, "HOUSEHOLD", "Kirjoita kokonaisluku numeroina, esimerkiksi 3."),
        ({"GETON": 1, "AREA_NAME": "x" * 61}, "AREA_NAME", "Kirjoita enintään 60 merkkiä."),
        (
            {"GETON": 1, "DISC_WORK": "yes", "GROUNDS": ["origin", "none"]},
            "GROUNDS",
            "Vaihtoehtoa ”Ei mikään” ei voi valita yhdessä muiden vaihtoehtojen kanssa.",
        ),
        (
            {"GETON": 1, "DISC_WORK": "yes", "GROUNDS": ["origin", "language", "other"]},
            "GROUNDS",
            "Valitse enintään 2 vaihtoehtoa.",
        ),
    ],
)
def test_every_kind_of_answer_error_gets_a_translated_message_for_its_item(
    cq: CompiledQuestionnaire, answers: dict[str, object], item: str, finnish: str
) -> None:
    errors = [e for e in cq.check(answers, require=True).errors if e.item == item]
    assert len(errors) == 1
    with use_language("fi"):
        assert friendly_message(cq, errors[0], "fi") == finnish


def test_year_message_names_the_range_and_an_example(cq: CompiledQuestionnaire) -> None:
    [error] = [e for e in cq.check({"GETON": 1, "MOVED": 1800}).errors if e.item == "MOVED"]
    with use_language("en"):
        message = friendly_message(cq, error, "en")
    assert message.startswith("Enter a year from 1930 to ") and ", for example " in message
