"""Idempotency keys of API submissions: a retried request returns the first answer instead of a second response.

Only a hash of the key is stored, with a MAC of the request keyed by the key itself: without the client's
key the stored values reveal nothing about the request (not even which invitation token it carried).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, today


class IdempotencyKey(Base):
    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("survey_id", "key_hash"),)

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64))
    request_mac: Mapped[str] = mapped_column(String(64))
    # No foreign key: the key is claimed first in the submission transaction, before the response exists.
    response_id: Mapped[uuid.UUID]
    created_on: Mapped[date] = mapped_column(default=today)
