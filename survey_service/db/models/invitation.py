"""Invitations: single-use tokens for invitation-only waves. Only hashes of tokens are stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, utcnow


class Invitation(Base):
    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint("status IN ('unused', 'started', 'completed')", name="status"),)

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str | None] = mapped_column(String(35))
    strata: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="unused")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
