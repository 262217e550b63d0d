"""The annual report of one wave, computed from its responses with the ``analysis`` package.

This module only turns columns into the arrays ``analysis`` takes and its results into report rows:
every estimate, standard error, interval, test and suppression decision comes from ``analysis``
(design-based estimates matching R ``survey``). It reads no database; ``domain/reports`` gathers the
inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

import analysis
from survey_service.results.data import WaveData
from survey_service.results.margins import Margins
from survey_service.results.schema import (
    ChangeRow,
    DifRow,
    Disclosure,
    EstimateRow,
    GapRow,
    ItemInfo,
    PlanInfo,
    ReliabilityRow,
    Report,
    ResponseRate,
    ScaleRow,
    TargetRow,
    TestRow,
    Weighting,
)
from survey_service.results.variables import VariableInfo

LANGUAGE_GROUP_CODES = ("domestic", "foreign")  # a reporting group with these codes is the language group
FOCAL, REFERENCE = "foreign", "domestic"
RELIABILITY_THRESHOLD = 0.70
SIGNIFICANCE = 0.05
RULES = analysis.DisclosureRules()
COUNT_RULES = analysis.DisclosureRules(min_base=0, caution_base=0)  # counts alone: only the < 5 rule
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Target:
    item: str
    direction: str
    value: float | None
    year: int | None


@dataclass
class WaveInput:
    slug: str
    year: int
    data: WaveData
    margins: Margins
    title: dict[str, str] = field(default_factory=dict)  # per language

    def title_in(self, language: str) -> str:
        """The wave's title in ``language`` (else its first), with the year unless the title names it."""
        title = self.title.get(language) or next(iter(self.title.values()), "")
        if not title:
            return f"{self.slug} {self.year}"
        return title if str(self.year) in title else f"{title} {self.year}"


@dataclass
class ReportInput:
    wave: WaveInput
    title: str
    language: str
    earlier: list[WaveInput] = field(default_factory=list)  # earlier waves of the plan, oldest first
    plan: PlanInfo | None = None
    baseline: str | None = None
    targets: list[Target] = field(default_factory=list)
    response_rates: list[ResponseRate] = field(default_factory=list)
    synthetic: bool = False
    today: date | None = None


def steps(inp: ReportInput) -> int:
    """How many progress steps ``build_report`` reports (for a progress bar)."""
    return 5 + len(inp.earlier)


# -- weighting ------------------------------------------------------------------------------------------


@dataclass
class Weighted:
    design: analysis.Design
    weighting: Weighting


def weight(wave: WaveInput) -> Weighted:
    """Raking to the wave's margins (initial weights N/n, as R), or equal weights when it has none."""
    data, n = wave.data, wave.data.n
    order = {v.code: i for i, v in enumerate(data.variables)}
    margins = {
        v: {
            str(c.code): wave.margins[v][str(c.code)] for c in data.by_code[v].choices if str(c.code) in wave.margins[v]
        }
        for v in sorted(wave.margins, key=lambda v: order.get(v, len(order)))
    }
    if not margins:
        design = analysis.Design(weights=np.ones(n))
        method, variables = "unweighted", []
    else:
        population = sum(next(iter(margins.values())).values())
        base = analysis.Design(weights=np.full(n, population / n))
        columns = {v: np.asarray([None if x is None else str(x) for x in data.codes(v)], dtype=object) for v in margins}
        design = analysis.rake(base, columns, margins)
        method, variables = "raking", list(margins)
    summary = analysis.weight_summary(design)
    return Weighted(
        design,
        Weighting(
            method=method,  # type: ignore[arg-type]
            variables=variables,
            margins={v: dict(c) for v, c in margins.items()},
            effective_n=summary.effective_n,
            weight_min=summary.min,
            weight_max=summary.max,
            weight_ratio=summary.ratio,
            design_effect=summary.kish_deff,
        ),
    )


# -- the items of a report --------------------------------------------------------------------------------


def reported(data: WaveData) -> list[VariableInfo]:
    """Variables the report describes: every closed and numeric question that is not background."""
    return [
        v for v in data.variables if v.dimension != "background" and (v.kind in ("single", "multiple") or v.numeric)
    ]


def indicators(data: WaveData) -> list[VariableInfo]:
    return [v for v in data.variables if v.indicator is not None and v.kind in ("single", "rating")]


def _categories(v: VariableInfo) -> tuple[Any, ...]:
    return tuple(c.code for c in v.substantive)


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _code(x: Any) -> str | int:
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _share_rows(
    item: str, statistic: str, table: Any, category_index: Sequence[int], category_codes: Sequence[Any]
) -> list[EstimateRow]:
    rows = []
    for j, (group, level) in enumerate(table.domains):
        for i, code in zip(category_index, category_codes, strict=True):
            hidden = bool(table.suppressed.size and table.suppressed[i, j]) or not math.isfinite(table.value[i, j])
            rows.append(
                EstimateRow(
                    item=item,
                    statistic=statistic,  # type: ignore[arg-type]
                    category=code,
                    group_variable=group,
                    group_category=None if group is None else _code(level),
                    estimate=None if hidden else _num(table.value[i, j]),
                    se=None if hidden else _num(table.se[i, j]),
                    ci_low=None if hidden else _num(table.ci_low[i, j]),
                    ci_high=None if hidden else _num(table.ci_high[i, j]),
                    n=int(table.n[j]),
                    suppressed=hidden,
                )
            )
    return rows


def _domains(data: WaveData, groups: Sequence[str]) -> list[tuple[str | None, Any, npt.NDArray[Any] | None]]:
    """The whole sample, then each answered category of each reporting group as a boolean mask."""
    out: list[tuple[str | None, Any, npt.NDArray[Any] | None]] = [(None, None, None)]
    for g in groups:
        codes = np.asarray([None if c is None else str(c) for c in data.codes(g)], dtype=object)
        for choice in data.by_code[g].substantive:
            mask = codes == str(choice.code)
            if mask.any():
                out.append((g, choice.code, mask))
    return out


def _mean_rows(
    design: analysis.Design,
    item: str,
    y: npt.NDArray[Any],
    domains: list[tuple[str | None, Any, npt.NDArray[Any] | None]],
) -> list[EstimateRow]:
    rows = []
    for g, level, mask in domains:
        est = analysis.mean(design, y, mask)
        hidden = est.n < RULES.min_base or not math.isfinite(est.value) or "no_df" in est.flags
        rows.append(
            EstimateRow(
                item=item,
                statistic="mean",
                category=None,
                group_variable=g,
                group_category=None if g is None else _code(level),
                estimate=None if hidden else _num(est.value),
                se=None if hidden else _num(est.se),
                ci_low=None if hidden else _num(est.ci_low),
                ci_high=None if hidden else _num(est.ci_high),
                n=est.n,
                suppressed=hidden,
            )
        )
    return rows


def published_count(n: int) -> int | str:
    """A count as the report prints it: "<5" below the minimum count, as on the monitoring pages."""
    return analysis.shown(n, False, COUNT_RULES)


def publish_bases(rows: list[EstimateRow]) -> list[EstimateRow]:
    """The numbers of respondents of estimates under the rule of every published count: below 5 shown
    as "<5", and further bases "hidden" where a small one could be worked out by subtraction (the bases
    of a grouping's categories add up to the whole sample's, which all groupings share)."""
    lines: dict[tuple[str, str, Any], list[int]] = {}
    for i, e in enumerate(rows):
        lines.setdefault((e.item, e.statistic, str(e.category)), []).append(i)
    out = list(rows)
    for indexes in lines.values():
        overall = [i for i in indexes if rows[i].group_variable is None]
        by_group: dict[str, list[int]] = {}
        for i in indexes:
            if rows[i].group_variable is not None:
                by_group.setdefault(str(rows[i].group_variable), []).append(i)
        tables = [np.array([[int(rows[i].n)] for i in members], dtype=np.int64) for members in by_group.values()]
        masks = analysis.protect_shared(tables, rules=COUNT_RULES) if tables else []
        for members, mask in zip(by_group.values(), masks, strict=True):
            for pos, i in enumerate(members):
                out[i] = msgspec.structs.replace(
                    rows[i], n=analysis.shown(int(rows[i].n), bool(mask[pos, 0]), COUNT_RULES)
                )
        total_hidden = any(bool(m[-1, 0]) for m in masks)
        for i in overall:
            out[i] = msgspec.structs.replace(rows[i], n=analysis.shown(int(rows[i].n), total_hidden, COUNT_RULES))
    return out


def _group_columns(data: WaveData, groups: Sequence[str]) -> dict[str, npt.NDArray[Any]]:
    return {g: np.asarray(data.codes(g), dtype=object) for g in groups}


def language_group(data: WaveData, groups: Sequence[str]) -> str | None:
    """The reporting group that separates foreign-language speakers from Finnish/Swedish/Sámi speakers:
    a question or a derived recode whose categories include ``domestic`` and ``foreign``."""
    for g in groups:
        codes = {str(c.code) for c in data.by_code[g].substantive}
        if set(LANGUAGE_GROUP_CODES) <= codes:
            return g
    return None


def estimate_rows(weighted: Weighted, data: WaveData, groups: Sequence[str]) -> list[EstimateRow]:
    """Shares of every answer code, indicators and means, overall and by each reporting group, after
    disclosure control."""
    design = weighted.design
    gcols = _group_columns(data, groups)
    rows: list[EstimateRow] = []
    for v in reported(data):
        if v.kind == "single":
            cats = _categories(v)
            table = analysis.shares_table(
                design, {v.code: data.analysis_column(v.code)}, gcols, categories={v.code: cats}
            )[v.code]
            table = analysis.disclose(table, sensitive=v.sensitive)
            rows += _share_rows(v.code, "share", table, range(len(cats)), cats)
        elif v.kind == "multiple":
            for choice in v.substantive:
                col = data.choice_column(v.code, choice.code)
                table = analysis.shares_table(design, {v.code: col}, gcols, categories={v.code: (0, 1)})[v.code]
                table = analysis.disclose(table, sensitive=v.sensitive)
                rows += _share_rows(v.code, "share", table, [1], [choice.code])
        if v.numeric:
            rows += _mean_rows(design, v.code, data.analysis_column(v.code), _domains(data, groups))
        if v.indicator is not None and v.kind in ("single", "rating"):
            table = analysis.shares_table(
                design, {v.code: data.indicator_column(v.code)}, gcols, categories={v.code: (0, 1)}
            )[v.code]
            table = analysis.disclose(table, sensitive=v.sensitive)
            rows += _share_rows(v.code, "indicator", table, [1], [None])
    return publish_bases(rows)


def overall_indicators(weighted: Weighted, data: WaveData) -> dict[str, tuple[analysis.Estimate, bool]]:
    """Each indicator over the whole sample (logit interval) and whether disclosure withholds it."""
    out = {}
    for v in indicators(data):
        table = analysis.shares_table(
            weighted.design, {v.code: data.indicator_column(v.code)}, categories={v.code: (0, 1)}
        )[v.code]
        table = analysis.disclose(table, sensitive=v.sensitive)
        est = table.estimate(1)
        out[v.code] = (est, "suppressed" in est.flags or not math.isfinite(est.value))
    return out


# -- tests, gaps, changes ----------------------------------------------------------------------------------


def test_rows(weighted: Weighted, data: WaveData, groups: Sequence[str]) -> list[TestRow]:
    """Rao-Scott second-order F test (R ``svychisq(statistic = "F")``) of each indicator by each group."""
    rows = []
    for v in indicators(data):
        y = data.indicator_column(v.code)
        for g in groups:
            x = np.asarray(data.codes(g), dtype=object)
            try:
                rs = analysis.rao_scott(weighted.design, y, x, statistic="F")
                values: tuple[float | None, ...] = (
                    _num(rs.statistic),
                    _num(rs.df_num),
                    _num(rs.df_den),
                    _num(rs.p_value),
                )
            except (ValueError, np.linalg.LinAlgError):
                values = (None, None, None, None)  # fewer than two categories answered: no test
            rows.append(
                TestRow(
                    item=v.code,
                    group_variable=g,
                    method="rao-scott-f",
                    statistic=values[0],
                    df_num=values[1],
                    df_den=values[2],
                    p=values[3],
                )
            )
    return rows


def gap_rows(
    weighted: Weighted, data: WaveData, group: str | None, tests: Sequence[TestRow], estimates: Sequence[EstimateRow]
) -> list[GapRow]:
    """Foreign-language minus domestic-language speakers for each indicator, on the whole design."""
    if group is None:
        return []
    codes = data.codes(group)
    focal = np.asarray([str(c) == FOCAL for c in codes])
    reference = np.asarray([str(c) == REFERENCE for c in codes])
    p_of = {(t.item, t.group_variable): t.p for t in tests}
    hidden = {
        (e.item, str(e.group_category))
        for e in estimates
        if e.statistic == "indicator" and e.group_variable == group and e.suppressed
    }
    rows = []
    for v in indicators(data):
        withheld = (v.code, FOCAL) in hidden or (v.code, REFERENCE) in hidden
        c = (
            None
            if withheld
            else analysis.domain_difference(weighted.design, data.indicator_column(v.code), focal, reference)
        )
        rows.append(
            GapRow(
                item=v.code,
                group_variable=group,
                focal=FOCAL,
                reference=REFERENCE,
                difference=None if c is None else _num(c.value),
                se=None if c is None else _num(c.se),
                ci_low=None if c is None else _num(c.ci_low),
                ci_high=None if c is None else _num(c.ci_high),
                p=None if withheld else p_of.get((v.code, group)),
            )
        )
    return rows


def change_rows(
    current: dict[str, tuple[analysis.Estimate, bool]],
    earlier: Sequence[tuple[str, dict[str, tuple[analysis.Estimate, bool]]]],
) -> list[ChangeRow]:
    """Each indicator against each earlier wave (independent samples); p-values Holm-adjusted across the
    indicators compared with the same wave."""
    rows = []
    for slug, before in earlier:
        items = [i for i in current if i in before]
        contrasts = []
        for item in items:
            (now, hidden_now), (then, hidden_then) = current[item], before[item]
            contrasts.append(None if hidden_now or hidden_then else analysis.wave_difference(now, then))
        p = np.asarray([np.nan if c is None else c.p_value for c in contrasts])
        adjusted = analysis.p_adjust(p, "holm")
        for item, c, adj in zip(items, contrasts, adjusted, strict=True):
            rows.append(
                ChangeRow(
                    item=item,
                    from_survey=slug,
                    difference=None if c is None else _num(c.value),
                    se=None if c is None else _num(c.se),
                    p=None if c is None else _num(c.p_value),
                    p_adjusted=_num(float(adj)),
                )
            )
    return rows


# -- scales -----------------------------------------------------------------------------------------------


def _scale_items(data: WaveData) -> dict[str, list[VariableInfo]]:
    scales: dict[str, list[VariableInfo]] = {}
    for v in data.variables:
        if v.scale and (v.kind == "single" or v.numeric):
            scales.setdefault(v.scale, []).append(v)
    return {k: items for k, items in scales.items() if len(items) >= 2}


def _matrix(data: WaveData, items: Sequence[VariableInfo]) -> npt.NDArray[np.float64]:
    return np.column_stack([data.analysis_column(v.code).astype(float) for v in items])


def _alpha(x: npt.NDArray[np.float64], reverse: list[bool]) -> tuple[int, float | None, float | None, float | None]:
    complete = x[~np.any(np.isnan(x), axis=1)]
    if complete.shape[0] < RULES.min_base:
        return complete.shape[0], None, None, None
    a = analysis.cronbach_alpha(
        complete, reverse=reverse if any(reverse) and not all(reverse) else None, use="complete"
    )
    return a.n, _num(a.raw_alpha), _num(a.feldt[0]), _num(a.feldt[1])


def scale_rows(data: WaveData, group: str | None) -> tuple[list[ScaleRow], list[ReliabilityRow]]:
    """Cronbach's alpha with the Feldt interval (psych ``alpha``, complete cases), overall and per
    language group."""
    scales, reliability = [], []
    for name, items in _scale_items(data).items():
        x = _matrix(data, items)
        reverse = [v.reverse for v in items]
        n, a, lo, hi = _alpha(x, reverse)
        scales.append(
            ScaleRow(scale=name, items=[v.code for v in items], n=published_count(n), alpha=a, ci_low=lo, ci_high=hi)
        )
        if group is None:
            continue
        codes = np.asarray([None if c is None else str(c) for c in data.codes(group)], dtype=object)
        for choice in data.by_code[group].substantive:
            n, a, lo, hi = _alpha(x[codes == str(choice.code)], reverse)
            reliability.append(
                ReliabilityRow(
                    scale=name,
                    group_variable=group,
                    group_category=choice.code,
                    n=published_count(n),
                    alpha=a,
                    ci_low=lo,
                    ci_high=hi,
                )
            )
    return scales, reliability


def index_rows(
    weighted: Weighted, data: WaveData, groups: Sequence[str], reliability: Sequence[ReliabilityRow]
) -> list[EstimateRow]:
    """A scale's 0-100 domain index (mean of the rescaled items, 2/3 answered) as a weighted mean, only
    when alpha >= 0.70 in every language group."""
    rows: list[EstimateRow] = []
    for name, items in _scale_items(data).items():
        own = [r for r in reliability if r.scale == name]
        if not own or any(r.alpha is None or r.alpha < RELIABILITY_THRESHOLD for r in own):
            continue
        scores = []
        for v in items:
            cats = [c.code for c in v.substantive]
            low, high = (
                (v.minimum, v.maximum)
                if v.numeric and v.minimum is not None and v.maximum is not None
                else (min(cats), max(cats))
            )
            scores.append(analysis.rescale(data.analysis_column(v.code), float(low), float(high), reverse=v.reverse))
        index = analysis.domain_index(np.column_stack(scores))
        rows += _mean_rows(weighted.design, name, index, _domains(data, groups))
    return publish_bases(rows)


def dif_rows(data: WaveData, source_language: str) -> list[DifRow]:
    """Mantel-Haenszel DIF of each scale item between the source-language version and each other
    response language with enough respondents; the keyed answer is the favourable half of the scale,
    matched on the rest score."""
    rows = []
    languages = np.asarray(data.language, dtype=object)
    others = [
        lang
        for lang in dict.fromkeys(data.language)
        if lang != source_language and int(np.sum(languages == lang)) >= RULES.min_base
    ]
    for name, items in _scale_items(data).items():
        x = _matrix(data, items)
        keyed = np.column_stack([_keyed(v, x[:, i]) for i, v in enumerate(items)])
        for i, v in enumerate(items):
            rest = np.delete(keyed, i, axis=1).sum(axis=1)
            for lang in others:
                d = analysis.mh_dif(keyed[:, i], languages, rest, reference=source_language, focal=lang)
                rows.append(
                    DifRow(
                        scale=name,
                        item=v.code,
                        reference=source_language,
                        focal=lang,
                        n=published_count(d.n),
                        odds_ratio=_num(d.alpha_mh),
                        d_dif=_num(d.d_dif),
                        p=_num(d.p_value),
                        ets_class=d.ets_class,
                    )
                )
    return rows


def _keyed(v: VariableInfo, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """1 for the favourable half of a scale item's answers (the indicator's codes when it has one; the
    low codes when ``reverse``, else the high ones), 0 for the rest, NaN when missing."""
    if v.indicator is not None:
        favourable = [float(c) for c in v.indicator.favourable if isinstance(c, int)]
    else:
        cats = sorted(float(c.code) for c in v.substantive if isinstance(c.code, int))
        if not cats and v.minimum is not None and v.maximum is not None:
            cats = [float(x) for x in range(int(v.minimum), int(v.maximum) + 1)]
        favourable = cats[: len(cats) // 2] if v.reverse else cats[(len(cats) + 1) // 2 :]
    return np.where(np.isnan(values), np.nan, np.isin(values, favourable).astype(float))


# -- targets ----------------------------------------------------------------------------------------------


def target_rows(
    targets: Sequence[Target],
    year: int,
    current: dict[str, tuple[analysis.Estimate, bool]],
    baseline: tuple[int, dict[str, tuple[analysis.Estimate, bool]]] | None,
    changes: Sequence[ChangeRow],
    baseline_slug: str | None,
) -> list[TargetRow]:
    """Progress to each target: on track / off track / not measurable.

    Direction targets are on track when the change since the baseline goes in the target direction and
    is significant (Holm-adjusted p < 0.05). Value targets draw a straight line from the baseline
    (in its year) to the value in the target year: on track when the 95% interval of this wave reaches
    the line's point for this year (or beyond it, in the target direction).
    """
    rows = []
    for t in targets:
        now = current.get(t.item)
        base = baseline[1].get(t.item) if baseline else None

        def row(
            status: str, reason: str, expected: float | None = None, t: Target = t, now: Any = now, base: Any = base
        ) -> TargetRow:
            return TargetRow(
                item=t.item,
                direction=t.direction,
                value=t.value,
                year=t.year,
                baseline=None if base is None or base[1] else _num(base[0].value),
                estimate=None if now is None or now[1] else _num(now[0].value),
                expected=expected,
                status=status,  # type: ignore[arg-type]
                reason=reason,
            )

        if now is None or now[1]:
            rows.append(row("not_measurable", "no_estimate"))
            continue
        if baseline is None or base is None or base[1] or baseline_slug is None:
            rows.append(row("not_measurable", "no_baseline"))
            continue
        if t.value is None or t.year is None:
            change = next((c for c in changes if c.item == t.item and c.from_survey == baseline_slug), None)
            if change is None or change.difference is None or change.p_adjusted is None:
                rows.append(row("not_measurable", "no_change"))
                continue
            right_way = change.difference > 0 if t.direction == "increase" else change.difference < 0
            significant = change.p_adjusted < SIGNIFICANCE
            rows.append(
                row(
                    "on_track" if right_way and significant else "off_track",
                    "significant_change" if significant else "no_significant_change",
                )
            )
            continue
        base_year, start = baseline[0], base[0].value
        span = max(t.year - base_year, 1)
        expected = start + (t.value - start) * min(max((year - base_year) / span, 0.0), 1.0)
        est = now[0]
        reached = est.ci_high >= expected if t.direction == "increase" else est.ci_low <= expected
        rows.append(row("on_track" if reached else "off_track", "path", _num(expected)))
    return rows


# -- the whole report --------------------------------------------------------------------------------------


def build_report(inp: ReportInput, progress: Progress | None = None) -> Report:
    """Every section of the report of ``inp.wave``; ``progress`` is called once per step."""
    tick = progress or (lambda _step: None)
    data = inp.wave.data
    q = data.questionnaire
    groups = [g for g in q.reporting_groups if g in data.by_code]
    lang_group = language_group(data, groups)
    tick("weighting")
    weighted = weight(inp.wave)
    tick("estimates")
    estimates = estimate_rows(weighted, data, groups)
    tick("tests")
    tests = test_rows(weighted, data, groups)
    gaps = gap_rows(weighted, data, lang_group, tests, estimates)
    tick("scales")
    scales, reliability = scale_rows(data, lang_group)
    estimates += index_rows(weighted, data, groups, reliability)
    dif = dif_rows(data, q.source_language)
    current = overall_indicators(weighted, data)
    earlier_estimates = []
    baseline: tuple[int, dict[str, tuple[analysis.Estimate, bool]]] | None = None
    for w in inp.earlier:
        tick(f"wave {w.slug}")
        values = overall_indicators(weight(w), w.data)
        earlier_estimates.append((w.slug, values))
        if w.slug == inp.baseline:
            baseline = (w.year, values)
    tick("changes")
    changes = change_rows(current, earlier_estimates)
    targets = target_rows(inp.targets, inp.wave.year, current, baseline, changes, inp.baseline)
    lang, src = inp.language, q.source_language
    items = [
        ItemInfo(
            code=v.code,
            kind=v.kind,
            dimension=v.dimension,
            text=v.text.get(lang) or v.text.get(src) or v.code,
            label=(v.statement.get(lang) or v.statement.get(src) or v.code)
            if v.statement
            else (v.text.get(lang) or v.text.get(src) or v.code),
            choices={str(c.code): c.label.get(lang) or c.label.get(src) or str(c.code) for c in v.choices},
            favourable=[str(c) for c in v.indicator.favourable] if v.indicator else [],
            sensitive=v.sensitive,
        )
        for v in reported(data)
    ]
    group_labels = {
        g: {str(c.code): c.label.get(lang) or c.label.get(src) or str(c.code) for c in data.by_code[g].choices}
        for g in groups
    }
    return Report(
        survey=inp.wave.slug,
        title=inp.title,
        year=inp.wave.year,
        language=lang,
        generated_on=(inp.today or date.today()).isoformat(),
        synthetic=inp.synthetic,
        plan=inp.plan,
        previous=inp.earlier[-1].slug if inp.earlier else None,
        n_responses=published_count(data.n),
        response_rates=inp.response_rates,
        weighting=weighted.weighting,
        reporting_groups=groups,
        language_group=lang_group,
        estimates=estimates,
        tests=tests,
        changes=changes,
        scales=scales,
        reliability=reliability,
        dif=dif,
        gaps=gaps,
        targets=targets,
        disclosure=Disclosure(
            min_base=RULES.min_base,
            caution_base=RULES.caution_base,
            min_count=RULES.min_count,
            min_count_sensitive=RULES.min_count_sensitive,
            suppressed_rows=sum(1 for e in estimates if e.suppressed),
        ),
        items=items,
        groups=group_labels,
        group_titles={g: data.by_code[g].text.get(lang) or data.by_code[g].text.get(src) or g for g in groups},
        wave_titles={w.slug: w.title_in(lang) for w in [*inp.earlier, inp.wave]},
        scale_titles={
            name: text.get(lang) or text.get(src) or name for name, text in data.questionnaire.scales.items()
        },
    )
