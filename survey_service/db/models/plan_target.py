"""Targets of a plan: per indicator a direction (increase / decrease) and optionally a value by a year."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, utcnow


class PlanTarget(Base):
    __tablename__ = "plan_target"
    __table_args__ = (
        UniqueConstraint("plan_id", "item"),
        CheckConstraint("direction IN ('increase', 'decrease')", name="direction"),
        CheckConstraint("value IS NULL OR (value >= 0 AND value <= 1)", name="value"),
        CheckConstraint("(value IS NULL) = (year IS NULL)", name="value_year"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(32))  # the indicator's question (variable) code
    direction: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None]  # target share of the indicator (0-1) ...
    year: Mapped[int | None]  # ... to be reached in this year
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
