"""Population counts per category of a background variable, for weighting one survey wave."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base


class PopulationMargin(Base):
    __tablename__ = "population_margin"
    __table_args__ = (
        UniqueConstraint("survey_id", "variable", "category"),
        CheckConstraint("population > 0", name="population"),
    )

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    variable: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    population: Mapped[float]
