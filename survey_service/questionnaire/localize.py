"""One language's view of a questionnaire: what the API returns and the pages render.

Strings missing in the requested language fall back to the source language (a validated definition has
none missing; drafts being edited may).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec
from babel import Locale, UnknownLocaleError

from survey_service.questionnaire.schema import (
    Choice,
    LongText,
    Matrix,
    MultipleChoice,
    Number,
    Question,
    Questionnaire,
    Rating,
    ShortText,
    SingleChoice,
    Text,
    Year,
)


class LocalChoice(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: int | str
    label: str
    missing: bool = False
    exclusive: bool = False


class LocalStatement(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    text: str


class LocalQuestion(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: str
    type: str
    text: str
    help: str | None = None
    required: bool = False
    show_if: str | None = None
    choices: list[LocalChoice] = []
    statements: list[LocalStatement] = []
    min: float | None = None
    max: float | None = None
    min_label: str | None = None
    max_label: str | None = None
    unit: str | None = None
    max_length: int | None = None
    min_selected: int | None = None
    max_selected: int | None = None
    layout: str | None = None


class LocalSection(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str
    title: str
    intro: str | None = None
    show_if: str | None = None
    questions: list[LocalQuestion]


class LocalQuestionnaire(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    slug: str
    language: str
    dir: str
    title: str
    description: str | None = None
    translation_status: str
    sections: list[LocalSection]


@lru_cache(maxsize=512)
def text_direction(language: str) -> str:
    """``rtl`` or ``ltr`` from the language's script (CLDR via Babel), not from a list of codes."""
    base = language.split("-x-")[0].replace("-", "_")
    try:
        return "rtl" if Locale.parse(base).text_direction == "rtl" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def pick(text: Text | None, language: str, fallback: str) -> str | None:
    if text is None:
        return None
    return text.get(language) or text.get(fallback) or next(iter(text.values()), "")


def localize(q: Questionnaire, language: str) -> LocalQuestionnaire:
    """The questionnaire in one language."""
    src = q.source_language

    def t(text: Text) -> str:
        return pick(text, language, src) or ""

    def choices(items: list[Choice]) -> list[LocalChoice]:
        return [LocalChoice(code=c.code, label=t(c.label), missing=c.missing, exclusive=c.exclusive) for c in items]

    def question(x: Question) -> LocalQuestion:
        extra: dict[str, Any] = {}
        if isinstance(x, SingleChoice | MultipleChoice | Matrix):
            extra["choices"] = choices(x.choices)
        if isinstance(x, MultipleChoice):
            extra.update(min_selected=x.min_selected, max_selected=x.max_selected)
        if isinstance(x, Matrix):
            extra["statements"] = [LocalStatement(code=s.code, text=t(s.text)) for s in x.statements]
        if isinstance(x, Rating):
            extra.update(
                min=x.min,
                max=x.max,
                min_label=t(x.min_label),
                max_label=t(x.max_label),
                choices=choices(x.extra_choices),
            )
        if isinstance(x, Number):
            extra.update(min=x.min, max=x.max, unit=pick(x.unit, language, src))
        if isinstance(x, Year):
            extra.update(min=x.min, max=x.max)
        if isinstance(x, ShortText | LongText):
            extra["max_length"] = x.max_length
        return LocalQuestion(
            code=x.code,
            type=str(x.__struct_config__.tag),
            text=t(x.text),
            help=pick(x.help, language, src),
            required=x.required,
            show_if=x.show_if,
            layout=x.layout,
            **extra,
        )

    info = q.languages.get(language)
    return LocalQuestionnaire(
        slug=q.slug,
        language=language,
        dir=text_direction(language),
        title=t(q.title),
        description=pick(q.description, language, src),
        translation_status=info.status if info else "missing",
        sections=[
            LocalSection(
                id=s.id,
                title=t(s.title),
                intro=pick(s.intro, language, src),
                show_if=s.show_if,
                questions=[question(x) for x in s.questions],
            )
            for s in q.sections
        ],
    )
