"""Declarative base shared by every table: UUID primary keys and naming conventions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# JSON everywhere, JSONB on PostgreSQL (advanced-alchemy's JsonB does not support SQLAlchemy 2.1 yet).
Json = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


# The municipality's clock: days (of responses, notes, retention) are Helsinki days.
LOCAL_TIME_ZONE = ZoneInfo("Europe/Helsinki")


def today() -> date:
    """Today's date in Helsinki: the only time resolution stored for responses."""
    return datetime.now(LOCAL_TIME_ZONE).date()


class Base(DeclarativeBase):
    """Base of every model. Random UUIDs (v4): unlike v7 they carry no timestamp."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {uuid.UUID: GUID, datetime: DateTimeUTC, dict[str, Any]: Json}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
