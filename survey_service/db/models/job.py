"""Jobs: long work (reports, exports, imports, letters, retention) run by a worker process, with its
requester, progress and result file. The queue engine only carries a job's id; this row is the record."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from survey_service.db.base import Base, utcnow

STATUSES = ("queued", "running", "cancelling", "cancelled", "done", "failed", "expired")
KINDS = ("report", "export", "response_import", "questionnaire_import", "translation_import", "letters", "retention")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        CheckConstraint(_one_of("kind", KINDS), name="kind"),
        Index("ix_job_status_heartbeat_at", "status", "heartbeat_at"),
    )

    # The requester (None: the command line) and, as accounts can be renamed, the username at the time.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"), index=True)
    owner: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None] = mapped_column(default=None)
    step: Mapped[str] = mapped_column(String(100), default="")
    message: Mapped[str | None] = mapped_column(Text, default=None)
    file_name: Mapped[str | None] = mapped_column(String(200), default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
