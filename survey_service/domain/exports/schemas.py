"""API shapes of background exports."""

from __future__ import annotations

from typing import Literal

import msgspec


class ExportJobCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    survey: str
    format: Literal["csv", "xlsx", "sav", "dta", "parquet", "ddi"]
    labels: str | None = None


class ExportJob(msgspec.Struct, frozen=True, kw_only=True):
    """A background export: ``status`` running / done / failed, progress as rows written of rows_total."""

    id: str
    survey: str
    format: str
    labels: str | None
    status: str
    rows_total: int
    rows_done: int
    file: str
    error: str | None
