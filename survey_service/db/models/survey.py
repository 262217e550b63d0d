"""Survey waves: one fielding of one published questionnaire version."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_service.db.base import Base, utcnow
from survey_service.db.models.questionnaire import QuestionnaireVersion


class Survey(Base):
    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint("access IN ('open', 'invitation')", name="access"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    questionnaire_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("questionnaire_version.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[dict[str, Any]]
    year: Mapped[int]
    plan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"), index=True)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    access: Mapped[str] = mapped_column(String(16), default="open")
    anonymous: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[QuestionnaireVersion] = relationship(lazy="joined")

    def is_open(self, now: datetime) -> bool:
        """Accepting answers: not closed, and now within [opens_at, closes_at)."""
        if self.status != "open":
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at
