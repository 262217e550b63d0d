"""API shapes of plans, their waves and targets."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

Year = Annotated[int, Meta(ge=1900, le=2200)]


class PlanCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    slug: Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,62}\Z")]
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    start_year: Year
    end_year: Year

    def __post_init__(self) -> None:
        if self.end_year < self.start_year:
            raise ValueError("end_year is before start_year")


class WaveRef(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    survey: str


class TargetSet(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    direction: Literal["increase", "decrease"]
    value: Annotated[float, Meta(ge=0, le=1)] | None = None
    year: Year | None = None


class Target(msgspec.Struct, frozen=True, kw_only=True):
    item: str
    direction: str
    value: float | None
    year: int | None


class Wave(msgspec.Struct, frozen=True, kw_only=True):
    survey: str
    year: int


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    name: str
    start_year: int
    end_year: int
    baseline: str | None
    waves: list[Wave]
    targets: list[Target]
