"""API shapes of jobs: what to start (one body per kind) and a job's record as answered."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import msgspec

from survey_service.db.models import Job as JobRow


class ReportJobCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    survey: str
    format: Literal["json", "html", "pdf", "csv"] = "pdf"
    lang: Literal["fi", "sv", "en"] = "fi"


class ExportJobCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    survey: str
    format: Literal["csv", "xlsx", "sav", "dta", "parquet", "ddi"]
    labels: str | None = None


class RetentionJobCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    dry_run: bool = False


class Job(msgspec.Struct, frozen=True, kw_only=True):
    """A job: ``status`` queued / running / cancelling / cancelled / done / failed / expired; progress as
    ``rows_done`` of ``rows_total`` (when known) and the current ``step``; ``file_url`` once done."""

    id: uuid.UUID
    url: str
    kind: str
    owner: str
    params: dict[str, Any]
    status: str
    rows_done: int
    rows_total: int | None
    step: str
    message: str | None
    file_name: str | None
    file_url: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None

    @classmethod
    def of(cls, row: JobRow, base: str = "/api/v1/jobs") -> Job:
        url = f"{base}/{row.id}"
        done = row.status == "done" and row.file_name is not None
        return cls(
            id=row.id,
            url=url,
            kind=row.kind,
            owner=row.owner,
            params={k: v for k, v in row.params.items() if k != "suffix"},
            status=row.status,
            rows_done=row.rows_done,
            rows_total=row.rows_total,
            step=row.step,
            message=row.message,
            file_name=row.file_name,
            file_url=f"{url}/file" if done else None,
            attempts=row.attempts,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            expires_at=row.expires_at,
        )
