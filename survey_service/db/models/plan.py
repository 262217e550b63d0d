"""Plan periods (e.g. an integration programme for a council term) that group survey waves."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, utcnow


class Plan(Base):
    __tablename__ = "plan"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int]
    end_year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The wave every later wave is compared with. survey.plan_id points back here: the constraint is
    # created after both tables (use_alter) so that neither table needs the other to exist first.
    baseline_survey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("survey.id", ondelete="SET NULL", use_alter=True)
    )
