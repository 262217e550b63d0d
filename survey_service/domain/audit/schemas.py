"""Shapes of audit events at the edge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    occurred_at: datetime
    actor: str
    channel: str
    action: str
    target: str
    detail: dict[str, Any]
