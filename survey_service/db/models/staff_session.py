"""Signed-in staff sessions. Only a SHA-256 hash of the session id is stored; the id lives in the cookie."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, utcnow


class StaffSession(Base):
    __tablename__ = "staff_session"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
