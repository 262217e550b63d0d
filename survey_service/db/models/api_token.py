"""API tokens for scripts (``Authorization: Bearer``). Only a SHA-256 hash of each token is stored."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, utcnow


class ApiToken(Base):
    __tablename__ = "api_token"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
