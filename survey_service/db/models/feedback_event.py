"""The audit trail of a feedback case: what was done, by whom, on which day — never the removed content."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, today

ACTIONS = ("assigned", "status", "tagged", "replied", "redacted", "contact_deleted", "purged")


class FeedbackEvent(Base):
    __tablename__ = "feedback_event"
    __table_args__ = (CheckConstraint(f"action IN ({', '.join(repr(a) for a in ACTIONS)})", name="action"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_case.id", ondelete="CASCADE"), index=True)
    # Position within the case (1, 2, …): only dates are stored, so this keeps the order within a day.
    number: Mapped[int]
    # None: done by the service itself (retention, closing).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    # e.g. {"status": "closed"} or {"kinds": {"phone": 1}}: labels and counts, never removed text.
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    happened_on: Mapped[date] = mapped_column(default=today)
