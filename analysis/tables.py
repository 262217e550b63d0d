"""Shares of every answer category, overall and by domain, in one vectorised pass per item and grouping.

This is the batched entry point of the report: for an item with K categories and a grouping with L
levels, the respondents are tabulated once into (K+1)·(L+1) cells (the extra row and column hold
missing answers and a missing group) crossed with the design's atoms; estimates and influence values
are then matrices over those cells, and one call of the variance kernel gives every SE.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .codes import MISSING, UNKNOWN, IntArray, factorize
from .design import Design
from .intervals import proportion_interval
from .results import ShareTable


def share_arrays(
    design: Design,
    ycode: IntArray,
    n_cat: int,
    gcode: IntArray,
    n_lev: int,
    *,
    overall: bool,
    method: str = "logit",
    level: float = 0.95,
) -> dict[str, Any]:
    """Shares p_cd = Σ_d w·1[y=c] / Σ_d w·1[y valid] for categories c and domains d, with SEs and intervals.

    ``ycode`` in [0, n_cat) (−1 missing), ``gcode`` in [0, n_lev) (−1 outside every level); domains
    are the levels, plus the whole sample last when ``overall``. Each share is a ratio, influence
    z_i = w_i·1[i ∈ d, y_i valid]·(1[y_i = c] − p_cd)/Σ_d w — R ``svymean(~factor(y), subset(design, d),
    na.rm = TRUE)``. Returns arrays value/se/ci_low/ci_high/count (K × D) and n/df (D,).
    """
    k, lv = n_cat, n_lev
    yc = np.where(ycode < 0, k, ycode)
    gc = np.where(gcode < 0, lv, gcode)
    n_cells = (k + 1) * (lv + 1)
    tab = design.tabulate(yc * (lv + 1) + gc, n_cells)
    sw = np.bincount(tab.src, tab.sw, minlength=n_cells).reshape(k + 1, lv + 1)
    nz = np.bincount(tab.src, tab.nz, minlength=n_cells).reshape(k + 1, lv + 1)
    d = lv + int(overall)
    mem = np.zeros((k + 1, lv + 1, d), bool)
    mem[:k, np.arange(lv), np.arange(lv)] = True
    if overall:
        mem[:k, :, lv] = True
    memf = mem.astype(float)
    wd = np.einsum("ygd,yg->d", memf, sw)
    yd = np.einsum("ygd,yg->yd", memf[:k], sw[:k])
    count = np.rint(np.einsum("ygd,yg->yd", memf[:k], nz[:k])).astype(np.int64)
    n = count.sum(axis=0)
    safe_w = np.where(wd > 0, wd, 1.0)
    p = np.where(wd > 0, yd / safe_w, np.nan)
    indicator = np.eye(k + 1, k)[:, None, :, None]
    infl = memf[:, :, None, :] * (indicator - np.nan_to_num(p)[None, None, :, :]) / safe_w
    var = design.variance(tab, infl.reshape(n_cells, k * d)).reshape(k, d)
    se = np.sqrt(np.maximum(var, 0.0))
    # a share of exactly 0 or 1 has exactly zero influence; drop rounding residue
    se = np.where((p == 0) | (p == 1), 0.0, se)
    se = np.where(wd > 0, se, np.nan)
    member = mem.reshape(n_cells, d)
    df = design.domain_df(tab, member)
    # Korn-Graubard's nrow(design): R keeps every row of a calibrated design in a subset, and rows of
    # zero weight in any design
    if design.is_calibrated:
        n_rows = np.full(d, design.n)
    else:
        rows = np.bincount(yc * (lv + 1) + gc, minlength=n_cells).reshape(k + 1, lv + 1)
        n_rows = np.einsum("ygd,yg->d", memf[:k], rows[:k].astype(float))
    lo, hi = proportion_interval(p, se, df[None, :], n[None, :], n_rows[None, :], method, level)
    return {"value": p, "se": se, "ci_low": lo, "ci_high": hi, "count": count, "n": n, "df": df}


def shares_table(
    design: Design,
    items: Mapping[str, npt.ArrayLike],
    groups: Mapping[str, npt.ArrayLike] | None = None,
    *,
    method: str = "logit",
    level: float = 0.95,
    exclude: Iterable[Any] = (),
    categories: Mapping[str, Sequence[Any]] | None = None,
) -> dict[str, ShareTable]:
    """Every item's category shares with SE and interval, overall and for each level of each grouping.

    Matches R ``svymean(~factor(item), design, na.rm = TRUE)`` overall and on ``subset(design, g == l)``
    for every level (domain estimates on the whole calibrated design), with ``svyciprop`` intervals
    (``method``, default logit) on df = ``degf`` of the domain. ``exclude`` lists non-substantive
    codes (don't know, no answer) dropped from the denominator; ``categories[item]`` fixes the
    category order and keeps categories nobody chose.
    """
    excluded = list(exclude)
    coded_groups = [(name, *factorize(values)) for name, values in (groups or {}).items()]
    out: dict[str, ShareTable] = {}
    for item, values in items.items():
        arr = np.asarray(values)
        ycode, cats = item_codes(item, arr, categories.get(item) if categories else None, excluded)
        blocks: list[dict[str, Any]] = []
        domains: list[tuple[str | None, Any]] = [(None, None)]
        if not coded_groups:
            blocks.append(_block(design, ycode, len(cats), np.full(arr.size, MISSING), 0, True, method, level))
        for j, (name, gcode, levels) in enumerate(coded_groups):
            blocks.append(_block(design, ycode, len(cats), gcode, len(levels), j == 0, method, level))
            domains.extend((name, lev) for lev in levels)
        out[item] = ShareTable(
            item=item,
            categories=tuple(cats),
            domains=tuple(domains),
            method=method,
            level=level,
            **{key: np.concatenate([b[key] for b in blocks], axis=-1) for key in blocks[0]},
        )
    return out


def item_codes(
    item: str, values: np.ndarray, categories: Sequence[Any] | None, exclude: Iterable[Any]
) -> tuple[IntArray, tuple[Any, ...]]:
    """Codes of an item's answers (missing and excluded: −1); an answer outside fixed categories
    is an error naming the item."""
    ycode, cats = factorize(values, levels=categories, exclude=exclude)
    if np.any(ycode == UNKNOWN):
        bad = values[int(np.argmax(ycode == UNKNOWN))]
        raise ValueError(f"item {item!r}: answer {bad!r} is not among its categories {tuple(cats)}")
    return ycode, cats


def _block(
    design: Design,
    ycode: IntArray,
    k: int,
    gcode: IntArray,
    lv: int,
    overall: bool,
    method: str,
    level: float,
) -> dict[str, Any]:
    """One grouping's columns, with the whole-sample column moved to the front."""
    arrays = share_arrays(design, ycode, k, gcode, lv, overall=overall, method=method, level=level)
    if not overall:
        return arrays
    order = np.r_[lv, np.arange(lv)]
    return {key: value[..., order] for key, value in arrays.items()}
