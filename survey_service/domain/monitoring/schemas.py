"""API shapes of response monitoring."""

from __future__ import annotations

from typing import Literal

import msgspec

# A published count, "<5" for a count below 5, or "hidden": withheld so that no count below 5 can be
# worked out from the totals.
Cell = int | Literal["<5", "hidden"]


class CountRow(msgspec.Struct, frozen=True, kw_only=True):
    """Responses of one day, language or mode: complete, partial (saved, not sent) and both."""

    label: str
    complete: Cell
    partial: Cell
    total: Cell


class RateRow(msgspec.Struct, frozen=True, kw_only=True):
    """Invitations of one stratum value: sent, answered, and the response rate (when both are shown)."""

    stratum: str
    value: str
    sent: Cell
    completed: Cell
    rate: float | None


class InvitationMonitoring(msgspec.Struct, frozen=True, kw_only=True):
    sent: Cell
    completed: Cell
    rate: float | None
    by_stratum: list[RateRow]


class Monitoring(msgspec.Struct, frozen=True, kw_only=True):
    """``GET /api/v1/waves/{slug}/monitoring``."""

    wave: str
    access: str
    min_count: int
    totals: CountRow
    by_day: list[CountRow]
    by_language: list[CountRow]
    by_mode: list[CountRow]
    invitations: InvitationMonitoring | None
    note: str
