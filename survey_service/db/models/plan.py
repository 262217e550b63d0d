"""Plan periods (e.g. an integration programme for a council term) that group survey waves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, utcnow


class Plan(Base):
    __tablename__ = "plan"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int]
    end_year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
