"""Internal notes of staff on a feedback case: never shown to the resident."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, today


class FeedbackNote(Base):
    __tablename__ = "feedback_note"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_case.id", ondelete="CASCADE"), index=True)
    # Position within the case (1, 2, …): only dates are stored, so this keeps the order within a day.
    number: Mapped[int]
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_on: Mapped[date] = mapped_column(default=today)
