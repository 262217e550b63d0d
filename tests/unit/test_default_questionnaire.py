"""The shipped questionnaire as a methodologist reads it: one list of grounds, one frequency direction per
page, follow-ups kept with the question they refer to on every path, isolated left-to-right examples and
the language's digits in right-to-left pages, and a definition that still validates and round-trips."""

from __future__ import annotations

import io
import re
from typing import Any

import msgspec
import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from survey_service.domain.pages.services import Step, revealed, steps, visible_steps
from survey_service.questionnaire.answers import CompiledQuestionnaire
from survey_service.questionnaire.loader import load
from survey_service.questionnaire.schema import (
    Choice,
    LanguageInfo,
    Question,
    Questionnaire,
    Section,
    SingleChoice,
    canonical_json,
)
from survey_service.questionnaire.validate import validate
from survey_service.questionnaire.xlsform import from_xlsform, to_xlsform
from survey_service.web.i18n import po_path, use_language
from survey_service.web.templating import render
from tests.helpers import ROOT

DEFAULT = ROOT / "questionnaires" / "good-relations"
LRI, PDI = "\u2066", "\u2069"
# Non-Discrimination Act 1325/2014 s. 8 and Equality Act 609/1986 grounds, "other" and "don't know"
LEGAL_GROUNDS = [
    "origin",
    "skin_colour",
    "nationality",
    "language",
    "religion",
    "opinion",
    "family",
    "age",
    "gender",
    "sexual_orientation",
    "disability",
    "other",
    "dont_know",
]


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return load(DEFAULT)


def _choices(question: Question) -> list[Choice]:
    return list(getattr(question, "choices", []))


# -- grounds ------------------------------------------------------------------------------------------------


def test_every_grounds_list_is_the_same_legal_list_in_every_language(q: Questionnaire) -> None:
    grounds = [x for x in q.questions() if any(c.code == "origin" for c in _choices(x))]
    assert {x.code for x in grounds} == {"HARASS_GROUNDS", "DISC_GROUNDS", "EDS_REASON"}
    lists = {x.code: [(c.code, dict(c.label), c.missing) for c in _choices(x)] for x in grounds}
    first = lists["DISC_GROUNDS"]
    assert [code for code, _, _ in first] == LEGAL_GROUNDS
    for code, listed in lists.items():
        assert listed == first, f"{code} lists other grounds or labels than DISC_GROUNDS"
    for _, labels, _ in first:
        assert set(labels) == set(q.languages)


# -- frequency scales -----------------------------------------------------------------------------------

_NEVER = re.compile(r"^(never|not at all)$", re.IGNORECASE)
_OFTEN = re.compile(r"\b(day|days|week|month|year)\b", re.IGNORECASE)


def frequency_direction(question: Question) -> str | None:
    """``never_first`` or ``never_last`` for a frequency scale (read from its English labels), else None."""
    labels = [c.label.get("en", "") for c in _choices(question) if not c.missing]
    if len(labels) < 3 or not any(_OFTEN.search(label) for label in labels):
        return None
    never = [i for i, label in enumerate(labels) if _NEVER.match(label)]
    if not never:
        return None
    return "never_first" if never[0] == 0 else "never_last" if never[0] == len(labels) - 1 else None


def mixed_pages(q: Questionnaire) -> list[tuple[str, dict[str, str]]]:
    out = []
    for step in steps(CompiledQuestionnaire(q)):
        directions = {x.code: d for x in step.questions if (d := frequency_direction(x))}
        if len(set(directions.values())) > 1:
            out.append((step.id, directions))
    return out


def test_no_page_has_two_frequency_scales_in_opposite_directions(q: Questionnaire) -> None:
    scales = {x.code: frequency_direction(x) for x in q.questions() if frequency_direction(x)}
    assert {"CONTACT_FREQ", "NEIGHBOURS_CHAT", "EDS", "FEAR_VIOLENCE"} <= set(scales)
    assert mixed_pages(q) == []


def test_the_direction_check_finds_a_reversed_scale(q: Questionnaire) -> None:
    """The check can fail: CONTACT_FREQ in ESS order (never first) beside the neighbour question is found."""
    sections = []
    for section in q.sections:
        questions = [
            msgspec.structs.replace(x, choices=list(reversed(x.choices)))
            if x.code == "CONTACT_FREQ" and isinstance(x, SingleChoice)
            else x
            for x in section.questions
        ]
        sections.append(msgspec.structs.replace(section, questions=questions))
    assert [page for page, _ in mixed_pages(msgspec.structs.replace(q, sections=sections))] == ["interaction"]


# -- questions kept with the previous one -------------------------------------------------------------------


def _step_of(all_steps: tuple[Step, ...], code: str) -> Step:
    return next(s for s in all_steps if any(x.code == code for x in s.questions))


def test_contact_quality_stays_with_contact_frequency_and_waits_for_its_answer(q: Questionnaire) -> None:
    cq = CompiledQuestionnaire(q)
    quality = next(x for x in q.questions() if x.code == "CONTACT_QUALITY")
    assert quality.keep_with_previous
    all_steps = steps(cq)
    assert _step_of(all_steps, "CONTACT_QUALITY") is _step_of(all_steps, "CONTACT_FREQ")
    assert not cq.question_visible(quality, {})  # left empty: the follow-up would refer to nothing
    assert not cq.question_visible(quality, {"CONTACT_FREQ": 1})  # never
    assert cq.question_visible(quality, {"CONTACT_FREQ": 7})
    step = _step_of(all_steps, "CONTACT_FREQ")
    assert revealed(cq, step, {}, {"CONTACT_FREQ": 7}) == ["CONTACT_QUALITY"]
    assert revealed(cq, step, {"CONTACT_FREQ": 7}, {"CONTACT_FREQ": 6}) == []
    # an answer to the follow-up without the question it refers to is refused
    errors = cq.check({"CONTACT_QUALITY": 8}, require=False).errors
    assert [e.item for e in errors] == ["CONTACT_QUALITY"]


def _choice(code: int) -> Choice:
    return Choice(code=code, label={"fi": str(code)})


@st.composite
def questionnaires(draw: st.DrawFn) -> Questionnaire:
    """Sections of single-choice questions with random skip logic on earlier questions (often on the same
    page) and random ``keep_with_previous`` declarations."""
    sections, earlier = [], []
    for s in range(draw(st.integers(1, 3))):
        questions: list[Question] = []
        for i in range(draw(st.integers(1, 7))):
            code = f"S{s}Q{i}"
            show_if = None
            if earlier and draw(st.booleans()):
                show_if = f"{draw(st.sampled_from(earlier))} == 1"
            keep = bool(questions) and draw(st.booleans())
            questions.append(
                SingleChoice(
                    code=code,
                    text={"fi": code},
                    dimension="attitudes",
                    show_if=show_if,
                    keep_with_previous=keep,
                    choices=[_choice(1), _choice(2)],
                )
            )
            earlier.append(code)
        sections.append(Section(id=f"s{s}", title={"fi": "x"}, questions=questions))
    return Questionnaire(
        slug="pairs",
        title={"fi": "x"},
        source_language="fi",
        languages={"fi": LanguageInfo(status="approved")},
        sections=sections,
    )


@settings(max_examples=300, deadline=None)
@given(questionnaires(), st.data())
def test_declared_pairs_are_never_separated_on_any_path(q: Questionnaire, data: st.DataObject) -> None:
    assert validate(q) == []
    cq = CompiledQuestionnaire(q)
    all_steps = steps(cq)
    codes = [x.code for x in q.questions()]
    answers: dict[str, Any] = {c: data.draw(st.sampled_from([None, 1, 2]), label=c) for c in codes}
    answers = {c: v for c, v in answers.items() if v is not None}
    shown = visible_steps(cq, answers)
    for section in q.sections:
        for before, question in zip(section.questions, section.questions[1:], strict=False):
            if not question.keep_with_previous:
                continue
            # the pair is on one step, whichever answers were given
            assert _step_of(all_steps, question.code) is _step_of(all_steps, before.code)
            if cq.question_visible(question, answers):
                assert before.code in answers  # a follow-up is never shown without an answer to refer to
                assert _step_of(all_steps, question.code) in shown
    # skip logic is still decided by the server: a question reads an answer given on its own page only
    # when that answer is in its declared pair (and then the page is shown again once it is given)
    for step in all_steps:
        for index, question in enumerate(step.questions):
            start = index
            while start > 0 and step.questions[start].keep_with_previous:
                start -= 1
            refs = set(re.findall(r"S\d+Q\d+", question.show_if or ""))
            earlier_on_page = {x.code for x in step.questions[:index]}
            assert refs & earlier_on_page <= {x.code for x in step.questions[start:index]}


def test_keep_with_previous_on_a_section_s_first_question_is_refused(q: Questionnaire) -> None:
    first = q.sections[0]
    moved = msgspec.structs.replace(first.questions[0], keep_with_previous=True)
    broken = msgspec.structs.replace(
        q, sections=[msgspec.structs.replace(first, questions=[moved, *first.questions[1:]]), *q.sections[1:]]
    )
    problems = [str(p) for p in validate(broken)]
    assert any("keep_with_previous" in p and "first question" in p for p in problems), problems


# -- XLSForm --------------------------------------------------------------------------------------------


def test_the_default_questionnaire_validates_and_round_trips_with_keep_with_previous(q: Questionnaire) -> None:
    assert validate(q) == []
    workbook = to_xlsform(q, "1")
    sheet = load_workbook(io.BytesIO(workbook))["survey"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=False)) for row in sheet.iter_rows(min_row=2)]
    assert [r["name"] for r in rows if r.get("keep_with_previous")] == ["CONTACT_QUALITY"]
    assert canonical_json(from_xlsform(workbook, "good-relations.xlsx")) == canonical_json(q)


# -- right-to-left pages --------------------------------------------------------------------------------

# left-to-right runs residents copy: codes, e-mail addresses, phone numbers, Latin abbreviations
_LTR = re.compile(r"[A-Za-z0-9+][A-Za-z0-9@.+\- ]*[A-Za-z0-9]|[A-Za-z]")


def _unisolated(text: str) -> list[str]:
    outside = re.sub(f"{LRI}[^{PDI}]*{PDI}", "", re.sub(r"%\(\w+\)[sd]", "", text))
    return [m.group(0) for m in _LTR.finditer(outside) if re.search(r"[A-Za-z@+]", m.group(0))]


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_every_left_to_right_example_is_isolated_in_right_to_left_catalogues(lang: str) -> None:
    with po_path(lang).open("rb") as f:
        catalog = read_po(f)
    examples = 0
    for message in catalog:
        if not message.id:
            continue
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            assert _unisolated(text) == [], (message.id, text)
            examples += text.count(LRI)
    assert examples >= 10


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_every_left_to_right_example_is_isolated_in_right_to_left_questionnaire_texts(
    q: Questionnaire, lang: str
) -> None:
    texts = msgspec.to_builtins(q)
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if lang in node and isinstance(node[lang], str):
                found.extend(_unisolated(node[lang]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(texts)
    assert found == []


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_rendered_right_to_left_pages_isolate_codes_and_phone_numbers(lang: str) -> None:
    from survey_service.domain.feedback.pages import KIND_HINTS, KIND_LABELS, TOPIC_LABELS
    from survey_service.domain.feedback.services import Messages
    from survey_service.domain.pages.schemas import FieldError
    from survey_service.web.i18n import gettext

    with use_language(lang):
        errors = [FieldError("contact", gettext(Messages.CONTACT))]
    html = render(
        "resident/feedback_form.html",
        lang,
        lang=lang,
        dir="rtl",
        csrf_input="",
        languages=[],
        topics=TOPIC_LABELS,
        kinds=KIND_LABELS,
        kind_hints=KIND_HINTS,
        values={},
        errors=errors,
        retention_months=12,
    )
    assert f"{LRI}+358 40 123 4567{PDI}" in html.replace("&#43;", "+")
    assert f"{LRI}name@example.fi{PDI}" in html
    # every run of text in the resident's script leaves no left-to-right example unisolated
    for text in re.findall(r">([^<>]+)<", html):
        if re.search("[\u0600-\u06ff]", text):
            assert _unisolated(text.replace("&#43;", "+")) == [], text


def test_persian_pages_use_persian_digits_and_arabic_pages_western_digits() -> None:
    from survey_service.web.i18n import number

    with use_language("fa"):
        assert number(10) == "۱۰"
    with use_language("ar"):
        assert number(10) == "10"
    with use_language("fi"):
        assert number(2026) == "2026" and number(2.5) == "2,5"
    with po_path("fa").open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if not message.id:
            continue
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            outside = re.sub(f"{LRI}[^{PDI}]*{PDI}", "", text or "")
            assert not re.search(r"[0-9]", re.sub(r"%\(\w+\)[sd]", "", outside)), (message.id, text)
