"""API shapes of questionnaires and their versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from survey_service.questionnaire.translations import Change


class VersionSummary(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    status: str
    content_hash: str
    note: str | None
    created_at: datetime
    published_at: datetime | None


class QuestionnaireSummary(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    versions: list[VersionSummary]


class VersionDetail(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    version: VersionSummary
    waves: list[str]
    definition: dict[str, Any]


class ImportResult(msgspec.Struct, frozen=True, kw_only=True):
    """What an import did: ``outcome`` is created, updated draft, published or unchanged."""

    slug: str
    version: int
    status: str
    outcome: str


class TranslationImportResult(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    version: int
    outcome: str
    language: str
    updated: int
    confirmed: int
    missing: list[str]
    outdated: list[str]


class Diff(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    old: int
    new: int
    changes: list[Change]
