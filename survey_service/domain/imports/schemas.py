"""API shapes of response imports."""

from __future__ import annotations

import msgspec


class Imported(msgspec.Struct, frozen=True, kw_only=True):
    survey: str
    imported: int
    mode: str
