"""The questionnaire definition: one msgspec schema that says what a questionnaire is.

A definition is written in YAML (``questionnaires/<slug>/questionnaire.yaml`` plus optional
``translations/<lang>.yaml``), imported from XLSForm, or edited in the staff UI; all of them decode into
these Structs. Every human-readable string is a mapping from language code to text.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

LanguageCode = Annotated[str, Meta(pattern=r"^[a-z]{2,3}(-[a-z0-9]{1,8})*\Z", max_length=35)]
Text = dict[LanguageCode, str]
"""A translatable string: language code -> text."""

VariableCode = Annotated[
    str,
    Meta(
        pattern=r"^[A-Za-z][A-Za-z0-9_]{0,31}\Z",
        description="Stable variable name: a letter, then letters, digits or _; at most 32 characters",
    ),
]
ChoiceCode = int | Annotated[str, Meta(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\Z")]
Slug = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,62}\Z")]

Dimension = Literal["attitudes", "security", "interaction", "participation", "discrimination", "background"]
MonitoringTarget = Literal["rights_awareness", "support_availability", "trust_in_decision_making"]
TranslationStatus = Literal["draft", "reviewed", "approved"]
Layout = Literal["minimal", "likert", "horizontal"]
"""How a choice question's options are laid out: a drop-down list, a scale in a row, or choices in a row."""

PIPED = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]{0,31})\}")
"""``${CODE}`` in a question's text or help: the earlier answer to CODE, shown in the resident's language."""


class _Strict(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Base for definition Structs: immutable, keyword-only, unknown keys rejected."""


class Choice(_Strict, frozen=True, kw_only=True):
    """One answer option. ``missing`` marks a non-substantive answer (don't know, prefer not to say,
    not in this situation): it is stored, but left out of shares' denominators."""

    code: ChoiceCode
    label: Text
    missing: bool = False
    exclusive: bool = False  # multiple choice: cannot be combined with other choices ("none of these")


class Indicator(_Strict, frozen=True, kw_only=True):
    """The question's headline share: the favourable codes (e.g. top-2-box)."""

    favourable: list[ChoiceCode]
    label: Text | None = None


class Statement(_Strict, frozen=True, kw_only=True):
    """One row of a Likert matrix; it is a variable of its own."""

    code: VariableCode
    text: Text
    reverse: bool | None = None  # overrides the matrix's ``reverse``


class _Question(_Strict, frozen=True, kw_only=True, tag_field="type"):
    """Fields every question type shares."""

    code: VariableCode
    text: Text
    help: Text | None = None
    required: bool = False
    show_if: str | None = None
    dimension: Dimension | None = None  # None: a plain question outside the good-relations dimensions
    constraint_message: Text | None = None  # shown instead of the generic message when an answer is out of range
    required_message: Text | None = None  # shown instead of the generic message when a required answer is missing
    default: str | None = None  # the answer filled in beforehand, written as a resident would type it
    layout: Layout | None = None
    monitoring_target: MonitoringTarget | None = None
    indicator: Indicator | None = None
    reverse: bool = False  # higher code = less favourable relations (for 0-100 index scoring)
    scale: VariableCode | None = None  # membership of a multi-item scale / domain index
    sensitive: bool = False  # stricter disclosure control (discrimination, harassment)
    source: str | None = None
    adapted: bool = False  # wording adapted or our own: not yet pretested
    # The question refers to the one before it ("thinking about this contact"): the two stay on one page,
    # and this one is shown only once the one before it has an answer.
    keep_with_previous: bool = False


class SingleChoice(_Question, frozen=True, kw_only=True, tag="single_choice"):
    choices: list[Choice]


class MultipleChoice(_Question, frozen=True, kw_only=True, tag="multiple_choice"):
    choices: list[Choice]
    min_selected: int | None = None
    max_selected: int | None = None


class Rating(_Question, frozen=True, kw_only=True, tag="rating"):
    """An integer scale (e.g. 0-10) with labelled end points and optional non-substantive choices."""

    min: int = 0
    max: int = 10
    min_label: Text
    max_label: Text
    extra_choices: list[Choice] = []


class Matrix(_Question, frozen=True, kw_only=True, tag="matrix"):
    """Several statements answered on one scale; each statement is a variable."""

    statements: list[Statement]
    choices: list[Choice]


class Number(_Question, frozen=True, kw_only=True, tag="number"):
    min: float | None = None
    max: float | None = None
    integer: bool = True
    unit: Text | None = None


class Year(_Question, frozen=True, kw_only=True, tag="year"):
    min: int = 1900
    max: int | None = None  # None: the current year


class ShortText(_Question, frozen=True, kw_only=True, tag="text"):
    max_length: Annotated[int, Meta(ge=1, le=1000)] = 200


class LongText(_Question, frozen=True, kw_only=True, tag="long_text"):
    max_length: Annotated[int, Meta(ge=1, le=20000)] = 5000


Question = SingleChoice | MultipleChoice | Rating | Matrix | Number | Year | ShortText | LongText
QUESTION_TYPES: tuple[type[_Question], ...] = (
    SingleChoice,
    MultipleChoice,
    Rating,
    Matrix,
    Number,
    Year,
    ShortText,
    LongText,
)


class Section(_Strict, frozen=True, kw_only=True):
    """One page of the questionnaire."""

    id: VariableCode
    title: Text
    intro: Text | None = None
    show_if: str | None = None
    questions: list[Question]


class LanguageInfo(_Strict, frozen=True, kw_only=True):
    """Translation status of one language (TRAPD: draft -> reviewed -> approved).

    ``outdated`` lists the string keys (see ``loader.text_fields``) whose source-language text changed
    after this translation was made; they stay listed until a translator updates or confirms them.
    """

    status: TranslationStatus
    note: str | None = None
    outdated: list[str] = []


class Recode(_Strict, frozen=True, kw_only=True):
    """A derived variable: a many-to-one recode of one single-choice question's codes.

    ``map`` sends source codes (as strings) to derived codes; the key ``"*"`` catches every other
    substantive code. Non-substantive and missing answers stay missing.
    """

    code: VariableCode
    source: VariableCode
    map: dict[str, ChoiceCode]
    labels: dict[str, Text]
    text: Text


class Questionnaire(_Strict, frozen=True, kw_only=True):
    """A whole questionnaire definition."""

    slug: Slug
    title: Text
    description: Text | None = None
    source_language: LanguageCode
    languages: dict[LanguageCode, LanguageInfo]
    sections: list[Section]
    reporting_groups: list[VariableCode] = []
    derived: list[Recode] = []
    scales: dict[VariableCode, Text] = {}  # the name of each multi-item scale (``scale:`` of its items)

    def questions(self) -> list[Question]:
        """Every question in order."""
        return [q for s in self.sections for q in s.questions]


def variable_codes(question: Question) -> list[str]:
    """The variables a question stores: its own code, or one per matrix statement."""
    if isinstance(question, Matrix):
        return [s.code for s in question.statements]
    return [question.code]


def piped_codes(question: Question) -> set[str]:
    """The variables whose answers the question's text or help shows (``${CODE}``), in any language."""
    texts = [*question.text.values(), *(question.help or {}).values()]
    return {m.group(1) for text in texts for m in PIPED.finditer(text)}


def answer_choices(question: Question) -> list[Choice]:
    """The coded options of a question (rating points are not listed; see ``Rating``)."""
    if isinstance(question, SingleChoice | MultipleChoice | Matrix):
        return list(question.choices)
    if isinstance(question, Rating):
        return list(question.extra_choices)
    return []


def canonical_json(questionnaire: Questionnaire) -> bytes:
    """Deterministic JSON (sorted keys) used for storage and the content hash."""
    return msgspec.json.encode(questionnaire, order="sorted")
