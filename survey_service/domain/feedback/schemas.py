"""API shapes of resident feedback: what residents send and read back, what staff work with."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import msgspec
from msgspec import Meta

from survey_service.db.models.feedback_case import Kind, Status, Topic
from survey_service.personal_data import DataKind

TEXT_MAX = 5000


class FeedbackCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A resident's message (``POST /api/v1/feedback``); anonymous unless a contact is given."""

    language: Annotated[str, Meta(description="The language the resident used, e.g. fi, sv, ar, fi-x-selko")]
    topic: Topic
    kind: Kind
    text: Annotated[str, Meta(description=f"1–{TEXT_MAX} characters after trimming; no control characters")]
    contact: Annotated[
        str | None,
        Meta(description="An email address or a phone number, only when the resident wants a reply"),
    ] = None


class FeedbackReceipt(msgspec.Struct, frozen=True):
    """The code with which the resident can later read the status and the reply."""

    receipt: str


class FeedbackStatus(msgspec.Struct, frozen=True, kw_only=True):
    """What a receipt code shows: the status and the reply — never the message itself."""

    status: Status
    reply: str | None


class PersonalDataSpan(msgspec.Struct, frozen=True, kw_only=True):
    """``text[start:end]`` (in code points) looks like personal data."""

    kind: DataKind
    start: int
    end: int


class FeedbackCaseSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the staff inbox."""

    id: uuid.UUID
    created_on: date
    status: Status
    topic: Topic
    kind: Kind
    language: str
    assignee: str | None
    tags: list[str]
    excerpt: str | None
    personal_data: bool
    reply_wanted: bool


class FeedbackNote(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    author: str | None
    created_on: date
    text: str


class FeedbackEvent(msgspec.Struct, frozen=True, kw_only=True):
    action: str
    actor: str | None
    happened_on: date
    detail: dict[str, object]


class FeedbackCase(msgspec.Struct, frozen=True, kw_only=True):
    """A case as staff see it. The contact itself is not shown: only how a reply would be delivered."""

    id: uuid.UUID
    created_on: date
    closed_on: date | None
    purged_on: date | None
    status: Status
    topic: Topic
    kind: Kind
    language: str
    assignee: str | None
    tags: list[str]
    text: str | None
    personal_data: list[PersonalDataSpan]
    reply: str | None
    replied_on: date | None
    reply_channel: Annotated[str | None, Meta(description="email or phone when the resident asked for a reply")]
    notes: list[FeedbackNote]
    events: list[FeedbackEvent]


class FeedbackCaseUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a case; fields left out stay as they are. ``assignee`` null unassigns."""

    status: Status | msgspec.UnsetType = msgspec.UNSET
    assignee: Annotated[str | None, Meta(description="Username of a staff member who handles feedback")] | (
        msgspec.UnsetType
    ) = msgspec.UNSET
    tags: Annotated[list[str], Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET


class FeedbackText(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A staff reply or an internal note."""

    text: Annotated[str, Meta(description=f"1–{TEXT_MAX} characters after trimming")]


class FeedbackRedaction(msgspec.Struct, frozen=True, kw_only=True):
    """What a redaction replaced: counts per kind, never the removed text."""

    removed: dict[DataKind, int]
    case: FeedbackCase


class FeedbackCount(msgspec.Struct, frozen=True, kw_only=True):
    """One cell of the counts table; ``all`` marks a total. ``count`` is null where suppressed."""

    period: str
    topic: str
    kind: str
    language: str
    count: int | None


class FeedbackCounts(msgspec.Struct, frozen=True, kw_only=True):
    """Feedback received by topic × kind × language per period, with disclosure control applied."""

    year: int
    period: str
    threshold: int
    sensitive_threshold: int
    cells: list[FeedbackCount]
