"""The report of one wave as data: the stable, machine-readable result (documented in README).

The JSON report is exactly these Structs encoded with msgspec; the HTML and PDF reports render them.
Numbers are plain floats (shares as proportions 0-1); suppressed rows carry null numbers.
"""

from __future__ import annotations

from typing import Literal

import msgspec

SCHEMA_VERSION = 1
Statistic = Literal["share", "mean", "indicator"]
Status = Literal["on_track", "off_track", "not_measurable"]


class _Row(msgspec.Struct, frozen=True, kw_only=True):
    pass


class EstimateRow(_Row, frozen=True, kw_only=True):
    """A share of one answer code, a mean, or an indicator (the favourable-codes share), overall
    (group fields null) or for one category of a reporting group (a domain of the whole design)."""

    item: str
    statistic: Statistic
    category: str | int | None
    group_variable: str | None
    group_category: str | int | None
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | str  # respondents, or "<5" / "hidden" (disclosure control)
    suppressed: bool


class TestRow(_Row, frozen=True, kw_only=True):
    """Rao-Scott test of independence of an indicator and a reporting group."""

    item: str
    group_variable: str
    method: str
    statistic: float | None
    df_num: float | None
    df_den: float | None
    p: float | None


class ChangeRow(_Row, frozen=True, kw_only=True):
    """An indicator now minus the same indicator in an earlier wave of the plan (independent samples)."""

    item: str
    from_survey: str
    difference: float | None
    se: float | None
    p: float | None
    p_adjusted: float | None


class ScaleRow(_Row, frozen=True, kw_only=True):
    """Reliability of a multi-item scale over all respondents with every item answered."""

    scale: str
    items: list[str]
    n: int | str
    alpha: float | None
    ci_low: float | None
    ci_high: float | None


class ReliabilityRow(_Row, frozen=True, kw_only=True):
    """A scale's reliability in one language group; an index is published only if alpha >= 0.70 in every group."""

    scale: str
    group_variable: str
    group_category: str | int
    n: int | str
    alpha: float | None
    ci_low: float | None
    ci_high: float | None


class DifRow(_Row, frozen=True, kw_only=True):
    """Mantel-Haenszel DIF of one scale item between two response languages (ETS class A/B/C)."""

    scale: str
    item: str
    reference: str
    focal: str
    n: int | str
    odds_ratio: float | None
    d_dif: float | None
    p: float | None
    ets_class: str | None


class GapRow(_Row, frozen=True, kw_only=True):
    """Foreign-language speakers minus Finnish/Swedish/Sámi speakers for one indicator (proportions)."""

    item: str
    group_variable: str
    focal: str | int
    reference: str | int
    difference: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None  # the Rao-Scott test of the indicator by this group


class TargetRow(_Row, frozen=True, kw_only=True):
    item: str
    direction: str
    value: float | None
    year: int | None
    baseline: float | None
    estimate: float | None
    expected: float | None  # where a linear path from the baseline to the target value stands this year
    status: Status
    reason: str


class ResponseRate(_Row, frozen=True, kw_only=True):
    stratum_variable: str | None
    stratum: str | None
    invited: int | str  # a count, or "<5" / "hidden" (disclosure control, as on the monitoring pages)
    responded: int | str
    rate: float | None


class Weighting(_Row, frozen=True, kw_only=True):
    method: Literal["raking", "unweighted"]
    variables: list[str]
    margins: dict[str, dict[str, float]]
    effective_n: float
    weight_min: float
    weight_max: float
    weight_ratio: float
    design_effect: float


class Disclosure(_Row, frozen=True, kw_only=True):
    min_base: int
    caution_base: int
    min_count: int
    min_count_sensitive: int
    suppressed_rows: int


class PlanInfo(_Row, frozen=True, kw_only=True):
    slug: str
    name: str
    start_year: int
    end_year: int
    baseline: str | None
    waves: list[str]


class ItemInfo(_Row, frozen=True, kw_only=True):
    """What the HTML needs to label an item: texts and choice labels in the report language."""

    code: str
    kind: str
    dimension: str
    text: str
    label: str  # short form for charts: a matrix statement's own text, else the question text
    choices: dict[str, str]
    favourable: list[str]
    sensitive: bool


class Report(msgspec.Struct, frozen=True, kw_only=True):
    schema_version: int = SCHEMA_VERSION
    survey: str
    title: str
    year: int
    language: str
    generated_on: str
    synthetic: bool
    plan: PlanInfo | None
    previous: str | None
    n_responses: int | str
    response_rates: list[ResponseRate]
    weighting: Weighting
    reporting_groups: list[str]
    language_group: str | None
    estimates: list[EstimateRow]
    tests: list[TestRow]
    changes: list[ChangeRow]
    scales: list[ScaleRow]
    reliability: list[ReliabilityRow]
    dif: list[DifRow]
    gaps: list[GapRow]
    targets: list[TargetRow]
    disclosure: Disclosure
    items: list[ItemInfo]
    groups: dict[str, dict[str, str]]  # reporting group -> category code -> label
    group_titles: dict[str, str]  # reporting group -> its question text
    wave_titles: dict[str, str] = {}  # this and earlier waves: slug -> title with the year
    scale_titles: dict[str, str] = {}  # multi-item scale -> its name
