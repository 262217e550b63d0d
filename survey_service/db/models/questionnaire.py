"""Questionnaires and their versions (definition snapshots; published versions are immutable)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_service.db.base import Base, utcnow


class Questionnaire(Base):
    __tablename__ = "questionnaire"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )


class QuestionnaireVersion(Base):
    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
    )

    questionnaire_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("questionnaire.id", ondelete="RESTRICT"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="draft")
    definition: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
