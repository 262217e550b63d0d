"""The audit log: who did what to which data, and when. Never addresses or user agents."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (CheckConstraint("channel IN ('web', 'api', 'cli')", name="channel"),)

    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The actor's id and, because accounts can be renamed or deactivated, the username at the time.
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
