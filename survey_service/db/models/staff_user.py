"""Staff accounts (passwords as argon2 hashes only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, utcnow

ROLES = ("admin", "designer", "analyst", "data_entry", "feedback_handler")


class StaffUser(Base):
    __tablename__ = "staff_user"
    __table_args__ = (CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),)

    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The staff pages' language this person chose (fi, sv, en); none: the browser's language.
    language: Mapped[str | None] = mapped_column(String(8), default=None)
