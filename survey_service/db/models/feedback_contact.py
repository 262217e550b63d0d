"""Where a resident asked to get the reply (an email address or a phone number); deleted when the case closes."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base


class FeedbackContact(Base):
    __tablename__ = "feedback_contact"
    __table_args__ = (CheckConstraint("kind IN ('email', 'phone')", name="kind"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_case.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(254))
