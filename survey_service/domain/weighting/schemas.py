"""API shapes of population margins."""

from __future__ import annotations

import msgspec


class Margins(msgspec.Struct, frozen=True, kw_only=True):
    """A wave's population counts per variable and category; empty: the wave is reported unweighted."""

    survey: str
    method: str
    margins: dict[str, dict[str, float]]
