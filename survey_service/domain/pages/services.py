"""The page flow of a questionnaire: steps, skip logic on the server, and resident-friendly error messages.

A step is one section on one page. When a question's skip logic reads an answer given on the same page, or
its text shows one (``${CODE}``), the section continues on a next step, so that the server (not the browser)
decides whether the follow-up is asked and what it says: the survey works the same without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from survey_service.errors import ItemError
from survey_service.questionnaire import expr
from survey_service.questionnaire.answers import CompiledQuestionnaire
from survey_service.questionnaire.localize import pick
from survey_service.questionnaire.schema import (
    LongText,
    MultipleChoice,
    Number,
    Question,
    Rating,
    Section,
    ShortText,
    Year,
    piped_codes,
    variable_codes,
)
from survey_service.web.i18n import gettext as _
from survey_service.web.i18n import localise_digits, ngettext


@dataclass(frozen=True, slots=True)
class Step:
    """One page: a section, or the part of it that follows a question its skip logic depends on."""

    id: str
    section: Section
    part: int  # 1 for the first page of a section
    questions: tuple[Question, ...]

    @property
    def variables(self) -> list[str]:
        return [code for q in self.questions for code in variable_codes(q)]


@lru_cache(maxsize=64)
def steps(cq: CompiledQuestionnaire) -> tuple[Step, ...]:
    """Every step of the questionnaire in order (cached per compiled version).

    A question declared ``keep_with_previous`` is never the first of a step: the pair moves to the next
    step together, and when the follow-up reads the question it is kept with, that is decided on the same
    page (it is revealed once the first question has an answer, see ``revealed``).
    """
    out: list[Step] = []
    for section in cq.definition.sections:
        chunk: list[Question] = []
        on_page: set[str] = set()
        part = 1
        for unit in _units(section.questions):
            own = {code for q in unit for code in variable_codes(q)}
            reads = {code for q in unit for code in _condition_reads(q)} - own
            if reads & on_page:
                out.append(_step(section, part, chunk))
                chunk, on_page, part = [], set(), part + 1
            chunk.extend(unit)
            on_page.update(own)
        out.append(_step(section, part, chunk))
    return tuple(out)


def _units(questions: list[Question]) -> list[list[Question]]:
    """Questions grouped so that each one declared ``keep_with_previous`` is with the one before it."""
    units: list[list[Question]] = []
    for question in questions:
        if question.keep_with_previous and units:
            units[-1].append(question)
        else:
            units.append([question])
    return units


def _condition_reads(question: Question) -> set[str]:
    """The answers a question's skip logic or its text (``${CODE}``) reads."""
    reads = expr.references(expr.parse(question.show_if)) if question.show_if else set()
    return reads | piped_codes(question)


def revealed(cq: CompiledQuestionnaire, step: Step, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Codes of the step's questions that the answers just given on it have made visible (the page is
    shown again with them, so that a follow-up is asked next to the question it refers to)."""
    return [q.code for q in step.questions if cq.question_visible(q, after) and not cq.question_visible(q, before)]


def _step(section: Section, part: int, questions: list[Question]) -> Step:
    return Step(section.id if part == 1 else f"{section.id}-{part}", section, part, tuple(questions))


# The surveys ask adults: invitation samples and weighting margins are of people aged 18 or over. A web
# response whose age group says "under 18" is therefore not stored (the answers so far are emptied).
UNDER_AGE = ("AGE_GROUP", "under_18")


def under_age(answers: Mapping[str, Any]) -> bool:
    return str(answers.get(UNDER_AGE[0])) == UNDER_AGE[1]


def step_visible(cq: CompiledQuestionnaire, step: Step, answers: Mapping[str, Any]) -> bool:
    return any(cq.question_visible(q, answers) for q in step.questions)


def visible_steps(cq: CompiledQuestionnaire, answers: Mapping[str, Any]) -> list[Step]:
    return [s for s in steps(cq) if step_visible(cq, s, answers)]


def find_step(cq: CompiledQuestionnaire, step_id: str) -> Step | None:
    return next((s for s in steps(cq) if s.id == step_id), None)


def next_step(cq: CompiledQuestionnaire, current: Step, answers: Mapping[str, Any]) -> Step | None:
    """The first visible step after ``current`` (None: the review comes next)."""
    all_steps = steps(cq)
    after = all_steps[all_steps.index(current) + 1 :]
    return next((s for s in after if step_visible(cq, s, answers)), None)


def previous_step(cq: CompiledQuestionnaire, current: Step, answers: Mapping[str, Any]) -> Step | None:
    all_steps = steps(cq)
    before = all_steps[: all_steps.index(current)]
    return next((s for s in reversed(before) if step_visible(cq, s, answers)), None)


def resume_step(cq: CompiledQuestionnaire, answers: Mapping[str, Any]) -> Step | None:
    """Where a returning respondent continues: the first visible step with nothing answered yet."""
    for s in visible_steps(cq, answers):
        if not any(code in answers for code in s.variables):
            return s
    return None


def prune_hidden(cq: CompiledQuestionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Drop answers to questions that the other answers now skip (e.g. after a filter answer changed)."""
    kept: dict[str, Any] = {}
    for code, var in cq.variables.items():
        if code in answers and cq.question_visible(var.question, kept):
            kept[code] = answers[code]
    return kept


def form_values(step: Step, form: Mapping[str, list[str]]) -> dict[str, str | list[str]]:
    """The step's fields from a posted form: lists for multiple choice, one string otherwise."""
    raw: dict[str, str | list[str]] = {}
    for q in step.questions:
        for code in variable_codes(q):
            values = form.get(code, [])
            raw[code] = list(values) if isinstance(q, MultipleChoice) else (values[0] if values else "")
    return raw


# The answer check's messages for an answer outside the question's constraint (not for a wrong kind of answer).
_RANGE_MESSAGES = ("must be at", "choose at", "text is longer", "expected a year from")


def friendly_message(cq: CompiledQuestionnaire, error: ItemError, language: str) -> str:
    """A translated, plain-language message for an error of the shared answer check (kind from its text),
    with the numbers in the language's digits."""
    return localise_digits(_message(cq, error, language))


def _message(cq: CompiledQuestionnaire, error: ItemError, language: str) -> str:
    var = cq.variables.get(error.item)
    message = error.message
    if var is None:
        return _("Check this answer.")
    q = var.question
    source = cq.definition.source_language
    if message == "an answer is required" and q.required_message:
        return pick(q.required_message, language, source) or ""
    if message.startswith(_RANGE_MESSAGES) and q.constraint_message:
        return pick(q.constraint_message, language, source) or ""
    if message == "an answer is required":
        return _("Answer this question.") if not isinstance(q, MultipleChoice) else _("Choose at least one option.")
    if "exclusive choice" in message:
        exclusive = next((c for c in var.choices.values() if c.exclusive), None)
        label = exclusive.label.get(language) or next(iter(exclusive.label.values())) if exclusive else ""
        return _("“%(label)s” cannot be chosen together with other options.") % {"label": label}
    if message.startswith("choose at least") and isinstance(q, MultipleChoice) and q.min_selected:
        n = q.min_selected
        return ngettext("Choose at least %(num)d option.", "Choose at least %(num)d options.", n) % {"num": n}
    if message.startswith("choose at most") and isinstance(q, MultipleChoice) and q.max_selected:
        n = q.max_selected
        return ngettext("Choose at most %(num)d option.", "Choose at most %(num)d options.", n) % {"num": n}
    if isinstance(q, Rating) and "number" in message:
        return _("Choose a number from %(min)s to %(max)s.") % {"min": q.min, "max": q.max}
    if isinstance(q, Year):
        top = q.max if q.max is not None else _current_year()
        return _("Enter a year from %(min)s to %(max)s, for example %(example)s.") % {
            "min": q.min,
            "max": top,
            "example": top - 30 if top - 30 >= q.min else top,
        }
    if isinstance(q, Number):
        if message.startswith("must be at least"):
            return _("Enter a number that is %(min)s or more.") % {"min": _number(q.min)}
        if message.startswith("must be at most"):
            return _("Enter a number that is %(max)s or less.") % {"max": _number(q.max)}
        if q.integer:
            return _("Enter a whole number using digits, for example 3.")
        return _("Enter a number using digits, for example 3.")
    if isinstance(q, ShortText | LongText):
        if message.startswith("text is longer"):
            n = q.max_length
            return ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", n) % {"num": n}
        if "control characters" in message:
            return _("Remove the special characters from the text.")
    if "not one of the choices" in message or "expected one value" in message:
        return _("Choose one of the options.")
    return _("Check this answer.")


def _number(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _current_year() -> int:
    return datetime.now(UTC).year
