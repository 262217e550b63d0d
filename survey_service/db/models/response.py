"""Responses: one respondent's answers (JSON, one map per response) to one survey wave.

Only dates are stored (no times), and in anonymous surveys nothing links a response to an invitation.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, today


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("mode IN ('web', 'paper', 'interview', 'import')", name="mode"),
        CheckConstraint("status IN ('partial', 'complete')", name="status"),
        Index("ix_response_survey_status", "survey_id", "status"),
    )

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("survey.id", ondelete="RESTRICT"))
    questionnaire_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("questionnaire_version.id", ondelete="RESTRICT")
    )
    language: Mapped[str] = mapped_column(String(35))
    mode: Mapped[str] = mapped_column(String(16), default="web")
    status: Mapped[str] = mapped_column(String(16), default="complete")
    answers: Mapped[dict[str, Any]]
    started_on: Mapped[date] = mapped_column(default=today)
    submitted_on: Mapped[date | None]
    # Partial responses only: a hash of the secret that resumes them (a resume code, or the invitation).
    # Cleared when the response is completed, so that no stored value links a finished response to it.
    resume_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set only in surveys that are not anonymous.
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"))
