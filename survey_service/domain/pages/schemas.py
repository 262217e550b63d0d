"""View models handed to the resident templates (already in the page's language)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from survey_service.questionnaire.localize import LocalQuestion


@dataclass(frozen=True, slots=True)
class FieldError:
    item: str  # variable code; the error summary links to the field "f-<item>"
    message: str
    prefix: str = ""  # matrix statement text, so that the summary says which row


@dataclass(slots=True)
class QuestionView:
    question: LocalQuestion
    values: dict[str, Any] = field(default_factory=dict)  # variable code -> posted/stored text values
    errors: dict[str, str] = field(default_factory=dict)  # variable code -> message


@dataclass(frozen=True, slots=True)
class LanguageLink:
    code: str
    name: str
    href: str
    dir: str
    current: bool


@dataclass(frozen=True, slots=True)
class ReviewItem:
    text: str
    answer: str | None
    rows: list[ReviewItem] = field(default_factory=list)  # the statements of a matrix question


@dataclass(frozen=True, slots=True)
class ReviewSection:
    title: str
    href: str
    items: list[ReviewItem]
