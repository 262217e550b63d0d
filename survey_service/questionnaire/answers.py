"""Checking one respondent's answers against a questionnaire version: the same rules for web, API, paper
entry and imports.

A ``CompiledQuestionnaire`` is built once per version (skip logic parsed, choice lookups prepared) and
then checks answer maps: types, ranges, choice codes, required items, no answers to questions hidden by
skip logic, no unknown codes. ``parse_text`` turns text input (HTML forms, CSV cells) into typed values
first, so every channel ends in the same ``check``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

from survey_service.errors import ItemError
from survey_service.questionnaire import expr
from survey_service.questionnaire.schema import (
    Choice,
    LongText,
    Matrix,
    MultipleChoice,
    Number,
    Question,
    Questionnaire,
    Rating,
    Section,
    ShortText,
    SingleChoice,
    Year,
    variable_codes,
)

Answers = dict[str, Any]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Variable:
    """One stored variable: a question's own code, or one matrix statement."""

    code: str
    question: Question
    section: Section
    choices: dict[str, Choice]  # str(code) -> choice, for coded questions


@dataclass(frozen=True, slots=True)
class CheckResult:
    answers: Answers  # the answers that were kept (typed, empty ones dropped)
    errors: list[ItemError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class CompiledQuestionnaire:
    """A questionnaire prepared for checking answers quickly; build it once per version."""

    def __init__(self, q: Questionnaire) -> None:
        self.definition = q
        self.variables: dict[str, Variable] = {}
        self.section_of_question: dict[str, Section] = {}
        self._conditions: dict[str, expr.Node] = {}
        self._reads: dict[str, set[str]] = {}  # question code -> variables its (and its section's) skip logic reads
        self._anchors: dict[str, list[str]] = {}  # question code -> variables of the question it is kept with
        for section in q.sections:
            if section.show_if:
                self._conditions[f"section:{section.id}"] = expr.parse(section.show_if)
            section_reads = expr.references(self._conditions[f"section:{section.id}"]) if section.show_if else set()
            for index, question in enumerate(section.questions):
                self.section_of_question[question.code] = section
                reads = set(section_reads)
                if question.show_if:
                    self._conditions[question.code] = expr.parse(question.show_if)
                    reads |= expr.references(self._conditions[question.code])
                if question.keep_with_previous and index > 0:
                    self._anchors[question.code] = variable_codes(section.questions[index - 1])
                    reads |= set(self._anchors[question.code])
                self._reads[question.code] = reads
                choices = {str(c.code): c for c in _coded(question)}
                codes = [s.code for s in question.statements] if isinstance(question, Matrix) else [question.code]
                for code in codes:
                    self.variables[code] = Variable(code, question, section, choices)

    # -- visibility -------------------------------------------------------------------------------------

    def section_visible(self, section: Section, answers: Mapping[str, Any]) -> bool:
        cond = self._conditions.get(f"section:{section.id}")
        return cond is None or expr.evaluate(cond, answers)

    def question_visible(self, question: Question, answers: Mapping[str, Any]) -> bool:
        section = self.section_of_question[question.code]
        if not self.section_visible(section, answers):
            return False
        return self._own_condition(question, answers)

    def _own_condition(self, question: Question, answers: Mapping[str, Any]) -> bool:
        """The question's skip logic, its section's aside."""
        anchor = self._anchors.get(question.code)
        if anchor is not None and all(_empty(answers.get(code)) for code in anchor):
            return False  # a follow-up to an unanswered question would refer to nothing
        cond = self._conditions.get(question.code)
        return cond is None or expr.evaluate(cond, answers)

    def visible_sections(self, answers: Mapping[str, Any]) -> list[Section]:
        return [s for s in self.definition.sections if self.section_visible(s, answers)]

    # -- text input -------------------------------------------------------------------------------------

    def parse_text(self, raw: Mapping[str, str | list[str]]) -> CheckResult:
        """Text values (form fields, CSV cells; multiple choice as a list or space-separated) -> typed values.

        Unknown codes are kept as they are so that ``check`` reports them.
        """
        out: Answers = {}
        errors: list[ItemError] = []
        for code, value in raw.items():
            var = self.variables.get(code)
            if var is None:
                out[code] = value
                continue
            try:
                parsed = _parse_one(var, value)
            except ValueError as exc:
                errors.append(ItemError(code, str(exc)))
                continue
            if parsed is not None:
                out[code] = parsed
        return CheckResult(out, errors)

    # -- checking ---------------------------------------------------------------------------------------

    def check(
        self,
        answers: Mapping[str, Any],
        *,
        require: bool = True,
        only: Iterable[str] | None = None,
        now: datetime | None = None,
    ) -> CheckResult:
        """Check typed answers; ``require`` enforces required items, ``only`` limits that to some questions.

        Returns the kept answers and one ``ItemError`` per problem (``item`` = variable code).
        """
        errors: list[ItemError] = []
        given: Answers = {}
        for code, value in answers.items():
            if code not in self.variables:
                errors.append(ItemError(str(code), "unknown question code"))
            elif not _empty(value):
                given[code] = value
        year = (now or datetime.now(UTC)).year
        required_scope = set(only) if only is not None else None
        kept: Answers = {}
        invalid: set[str] = set()
        # A section's condition reads only earlier sections, so it is decided once, at its first variable.
        section_shown: dict[str, bool] = {}
        for code, var in self.variables.items():
            shown = section_shown.get(var.section.id)
            if shown is None:
                shown = section_shown[var.section.id] = self.section_visible(var.section, kept)
            visible = shown and self._own_condition(var.question, kept)
            value = given.get(code)
            if value is None:
                if (
                    require
                    and visible
                    and var.question.required
                    and (required_scope is None or var.question.code in required_scope or code in required_scope)
                ):
                    errors.append(ItemError(code, "an answer is required"))
                continue
            if not visible:
                # When the skip logic reads an invalid answer, that answer's error is the one to report.
                if not self._reads[var.question.code] & invalid:
                    errors.append(ItemError(code, "this question is not asked with these answers (skip logic)"))
                continue
            message = _check_value(var, value, year)
            if message:
                errors.append(ItemError(code, message))
                invalid.add(code)
            else:
                kept[code] = value
        return CheckResult(kept, errors)


_COMPILED: dict[str, CompiledQuestionnaire] = {}
_COMPILED_MAX = 64


def compiled(content_hash: str, definition: Mapping[str, Any] | Questionnaire) -> CompiledQuestionnaire:
    """The compiled form of a stored version, built once per content hash and kept in memory."""
    hit = _COMPILED.get(content_hash)
    if hit is None:
        q = definition if isinstance(definition, Questionnaire) else msgspec.convert(definition, Questionnaire)
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.pop(next(iter(_COMPILED)))
        hit = _COMPILED[content_hash] = CompiledQuestionnaire(q)
    return hit


def _coded(q: Question) -> list[Choice]:
    if isinstance(q, SingleChoice | MultipleChoice | Matrix):
        return list(q.choices)
    if isinstance(q, Rating):
        return list(q.extra_choices)
    return []


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_code(value: Any, var: Variable) -> Choice | None:
    """The choice whose code equals ``value`` exactly (an int code needs an int, a string code a string)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    choice = var.choices.get(str(value))
    if choice is None or type(choice.code) is not type(value):
        return None
    return choice


def _check_value(var: Variable, value: Any, year: int) -> str | None:
    q = var.question
    if isinstance(q, SingleChoice | Matrix):
        if _same_code(value, var) is None:
            return f"{value!r} is not one of the choices ({_codes(var)})"
        return None
    if isinstance(q, MultipleChoice):
        if not isinstance(value, list):
            return "expected a list of choice codes"
        picked = []
        for v in value:
            choice = _same_code(v, var)
            if choice is None:
                return f"{v!r} is not one of the choices ({_codes(var)})"
            picked.append(choice)
        if len({str(c.code) for c in picked}) != len(picked):
            return "a choice is listed twice"
        if len(picked) > 1 and any(c.exclusive for c in picked):
            return "an exclusive choice cannot be combined with others"
        if q.min_selected is not None and len(picked) < q.min_selected:
            return f"choose at least {q.min_selected}"
        if q.max_selected is not None and len(picked) > q.max_selected:
            return f"choose at most {q.max_selected}"
        return None
    if isinstance(q, Rating):
        if _same_code(value, var) is not None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not q.min <= value <= q.max:
            return f"expected a whole number from {q.min} to {q.max}"
        return None
    if isinstance(q, Number):
        if not _is_number(value) or not math.isfinite(value):
            return "expected a number"
        if q.integer and not float(value).is_integer():
            return "expected a whole number"
        if q.min is not None and value < q.min:
            return f"must be at least {_fmt(q.min)}"
        if q.max is not None and value > q.max:
            return f"must be at most {_fmt(q.max)}"
        return None
    if isinstance(q, Year):
        top = q.max if q.max is not None else year
        if not isinstance(value, int) or isinstance(value, bool) or not q.min <= value <= top:
            return f"expected a year from {q.min} to {top}"
        return None
    if isinstance(q, ShortText | LongText):
        if not isinstance(value, str):
            return "expected text"
        if len(value) > q.max_length:
            return f"text is longer than {q.max_length} characters"
        if _CONTROL.search(value):
            return "text contains control characters"
        return None
    return "unsupported question type"


def _parse_one(var: Variable, value: str | list[str]) -> Any:
    q = var.question
    if isinstance(q, MultipleChoice):
        items = value if isinstance(value, list) else value.split()
        return [_code_from_text(var, v.strip()) for v in items if v.strip()] or None
    if isinstance(value, list):
        if len(value) > 1:
            raise ValueError("expected one value")
        value = value[0] if value else ""
    text = value.strip() if not isinstance(q, ShortText | LongText) else value
    if text == "":
        return None
    if isinstance(q, SingleChoice | Matrix):
        return _code_from_text(var, text)
    if isinstance(q, Rating):
        if text in var.choices:
            return var.choices[text].code
        return _int(text, f"expected a whole number from {q.min} to {q.max}")
    if isinstance(q, Year):
        return _int(text, "expected a year")
    if isinstance(q, Number):
        try:
            number = float(text.replace(",", ".").replace("\u2212", "-"))
        except ValueError:
            raise ValueError("expected a number") from None
        return int(number) if number.is_integer() and q.integer else number
    return text


def _code_from_text(var: Variable, text: str) -> int | str:
    choice = var.choices.get(text)
    if choice is None:
        raise ValueError(f"{text!r} is not one of the choices ({_codes(var)})")
    return choice.code


def _int(text: str, message: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(message) from None


def _codes(var: Variable) -> str:
    codes = list(var.choices)
    if isinstance(var.question, Rating):
        codes = [f"{var.question.min}..{var.question.max}", *codes]
    return ", ".join(codes)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
