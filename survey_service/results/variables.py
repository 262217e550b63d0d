"""The variables of a questionnaire as the results see them: one entry per stored or derived column.

A matrix contributes one variable per statement, a derived recode (e.g. LANG_GROUP from MOTHER_TONGUE)
one computed from its source. Each variable knows its choices (code, labels, non-substantive or not),
so that exports can label values and analyses can leave non-substantive answers out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from survey_service.questionnaire.schema import (
    Choice,
    Indicator,
    LongText,
    Matrix,
    MultipleChoice,
    Number,
    Question,
    Questionnaire,
    Rating,
    Recode,
    ShortText,
    SingleChoice,
    Text,
    Year,
)

Kind = Literal["single", "multiple", "rating", "number", "year", "text", "derived"]


@dataclass(frozen=True)
class ChoiceInfo:
    code: int | str
    label: Text
    missing: bool = False


@dataclass(frozen=True)
class VariableInfo:
    """One column of the results."""

    code: str
    kind: Kind
    text: Text  # the question text (for a matrix statement: question text + statement text)
    question: str  # the code of the question it belongs to (itself unless a matrix statement)
    choices: tuple[ChoiceInfo, ...] = ()
    indicator: Indicator | None = None
    scale: str | None = None
    sensitive: bool = False
    dimension: str = "background"
    minimum: float | None = None
    maximum: float | None = None
    source: str | None = None  # derived variables: the source variable
    recode: dict[str, int | str] = field(default_factory=dict)
    statement: Text | None = None  # matrix statements: the statement's own text
    reverse: bool = False  # higher code = less favourable relations
    integer: bool = False  # numeric answers are whole numbers (ratings, years, integer numbers)

    def short_label(self, language: str, fallback: str, limit: int) -> str:
        """The text within ``limit`` characters; a matrix statement keeps its own text whole."""
        text = self.text.get(language) or self.text.get(fallback) or self.code
        if len(text) <= limit or self.statement is None:
            return text[:limit]
        own = self.statement.get(language) or self.statement.get(fallback) or ""
        return f"{text[: max(limit - len(own) - 3, 0)]}…: {own}"[-limit:]

    @property
    def coded(self) -> bool:
        """Answers are choice codes (single or multiple choice, matrix statements, derived recodes)."""
        return self.kind in ("single", "multiple", "derived")

    @property
    def numeric(self) -> bool:
        """Answers are numbers that a mean summarises (ratings and numbers)."""
        return self.kind in ("rating", "number")

    @property
    def substantive(self) -> tuple[ChoiceInfo, ...]:
        return tuple(c for c in self.choices if not c.missing)

    @property
    def missing_codes(self) -> frozenset[str]:
        """Non-substantive codes (as strings): stored, but left out of every denominator."""
        return frozenset(str(c.code) for c in self.choices if c.missing)

    def label(self, code: Any, language: str, fallback: str) -> str:
        for c in self.choices:
            if str(c.code) == str(code):
                return c.label.get(language) or c.label.get(fallback) or str(code)
        return str(code)


def variables(q: Questionnaire) -> list[VariableInfo]:
    """Every variable of ``q`` in questionnaire order, derived recodes after the questions."""
    out: list[VariableInfo] = []
    for question in q.questions():
        out.extend(_question_variables(question))
    by_code = {v.code: v for v in out}
    out.extend(_derived(r, by_code.get(r.source)) for r in q.derived)
    return out


def _choices(items: list[Choice]) -> tuple[ChoiceInfo, ...]:
    return tuple(ChoiceInfo(c.code, dict(c.label), c.missing) for c in items)


def _question_variables(q: Question) -> list[VariableInfo]:
    common: dict[str, Any] = {
        "reverse": q.reverse,
        "question": q.code,
        "indicator": q.indicator,
        "scale": q.scale,
        "sensitive": q.sensitive,
        "dimension": q.dimension,
    }
    if isinstance(q, Matrix):
        return [
            VariableInfo(
                s.code,
                "single",
                {lang: f"{q.text[lang]}: {s.text.get(lang, '')}" for lang in q.text},
                choices=_choices(q.choices),
                statement=dict(s.text),
                **{**common, "reverse": q.reverse if s.reverse is None else s.reverse},
            )
            for s in q.statements
        ]
    if isinstance(q, SingleChoice):
        return [VariableInfo(q.code, "single", dict(q.text), choices=_choices(q.choices), **common)]
    if isinstance(q, MultipleChoice):
        return [VariableInfo(q.code, "multiple", dict(q.text), choices=_choices(q.choices), **common)]
    if isinstance(q, Rating):
        return [
            VariableInfo(
                q.code,
                "rating",
                dict(q.text),
                choices=_choices(q.extra_choices),
                minimum=q.min,
                maximum=q.max,
                integer=True,
                **common,
            )
        ]
    if isinstance(q, Number):
        return [VariableInfo(q.code, "number", dict(q.text), minimum=q.min, maximum=q.max, integer=q.integer, **common)]
    if isinstance(q, Year):
        return [VariableInfo(q.code, "year", dict(q.text), minimum=q.min, maximum=q.max, integer=True, **common)]
    if isinstance(q, ShortText | LongText):
        return [VariableInfo(q.code, "text", dict(q.text), **common)]
    raise TypeError(f"unsupported question type {type(q).__name__}")


def _derived(r: Recode, source: VariableInfo | None) -> VariableInfo:
    targets = list(dict.fromkeys(r.map.values()))
    choices = tuple(ChoiceInfo(t, dict(r.labels.get(str(t), {})), False) for t in targets)
    return VariableInfo(
        r.code,
        "derived",
        dict(r.text),
        question=r.code,
        choices=choices,
        dimension="background",
        source=r.source,
        recode=dict(r.map),
    )


def recode_value(var: VariableInfo, source_value: Any, source: VariableInfo) -> int | str | None:
    """The derived code of one source answer; non-substantive and missing answers stay missing."""
    if source_value is None or str(source_value) in source.missing_codes:
        return None
    key = str(source_value)
    if key in var.recode:
        return var.recode[key]
    return var.recode.get("*")
