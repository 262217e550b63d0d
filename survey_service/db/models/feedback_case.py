"""Feedback cases: one resident's message (experience, suggestion, praise) and its handling by staff.

Only dates are stored (no times), never an address or user agent. The receipt code is stored only as
a hash; the contact for a reply lives in ``feedback_contact`` and goes when the case closes.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, Json, today


class Topic(StrEnum):
    EARLY_CHILDHOOD = "early_childhood"
    SCHOOL = "school"
    EMPLOYMENT = "employment"
    HEALTH_SOCIAL = "health_social"
    HOUSING = "housing"
    LEISURE = "leisure"
    LIBRARY = "library"
    TRANSPORT = "transport"
    OTHER = "other"


class Kind(StrEnum):
    DISCRIMINATION = "discrimination"
    SUGGESTION = "suggestion"
    PRAISE = "praise"
    OTHER = "other"


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class FeedbackCase(Base):
    __tablename__ = "feedback_case"
    __table_args__ = (
        CheckConstraint(_one_of("topic", Topic), name="topic"),
        CheckConstraint(_one_of("kind", Kind), name="kind"),
        CheckConstraint(_one_of("status", Status), name="status"),
        Index("ix_feedback_case_status_created_on", "status", "created_on"),
    )

    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(35))
    topic: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    # None once the retention period has passed (see ``purged_on``).
    text: Mapped[str | None] = mapped_column(Text)
    # whether the text looks like it holds personal data: found once, when the text is stored or changed
    personal_data: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(16), default=Status.NEW.value)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"), index=True)
    tags: Mapped[list[str]] = mapped_column(Json, default=list)
    reply: Mapped[str | None] = mapped_column(Text)
    created_on: Mapped[date] = mapped_column(default=today)
    replied_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    purged_on: Mapped[date | None]
