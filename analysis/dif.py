"""Comparability across language versions: Mantel–Haenszel DIF with the ETS A/B/C classification."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from .codes import factorize, is_missing
from .results import DIF, MantelHaenszel

# ETS thresholds on the delta scale (Zwick 2012): |D| < 1 negligible, ≥ 1.5 large
_SMALL, _LARGE = 1.0, 1.5


def mantel_haenszel(tables: npt.ArrayLike, *, correct: bool = True, level: float = 0.95) -> MantelHaenszel:
    """Mantel–Haenszel test and common odds ratio of K 2×2 tables, R ``mantelhaen.test(x, correct)``.

    ``tables`` has shape (K, 2, 2): stratum, row, column. With a, b, c, d the cells and t the stratum
    size: OR_MH = Σ(ad/t) / Σ(bc/t); X² = (|Σ(a − E a)| − ½)² / Σ Var a (½ only with ``correct`` and
    |Σ(a − E a)| ≥ ½), Var a = r₁r₂c₁c₂/(t²(t−1)); the interval uses the Robins–Breslow–Greenland
    variance of ln OR_MH. Strata with fewer than two observations carry no information and are dropped
    (R stops with an error instead).
    """
    x = np.asarray(tables, dtype=float)
    if x.ndim != 3 or x.shape[1:] != (2, 2):
        raise ValueError("tables must have shape (strata, 2, 2)")
    t = x.sum(axis=(1, 2))
    x = x[t >= 2]
    t = t[t >= 2]
    a, b, c, d = x[:, 0, 0], x[:, 0, 1], x[:, 1, 0], x[:, 1, 1]
    row1, col1 = a + b, a + c
    delta = float(np.sum(a - row1 * col1 / t))
    yates = 0.5 if correct and abs(delta) >= 0.5 else 0.0
    var_a = float(np.sum(row1 * (t - row1) * col1 * (t - col1) / (t**2 * (t - 1))))
    statistic = (abs(delta) - yates) ** 2 / var_a
    s_diag, s_off = float(np.sum(a * d / t)), float(np.sum(b * c / t))
    odds_ratio = s_diag / s_off
    log_se = float(
        np.sqrt(
            np.sum((a + d) * a * d / t**2) / (2 * s_diag**2)
            + np.sum(((a + d) * b * c + (b + c) * a * d) / t**2) / (2 * s_diag * s_off)
            + np.sum((b + c) * b * c / t**2) / (2 * s_off**2)
        )
    )
    z = stats.norm.ppf(1 - (1 - level) / 2)
    return MantelHaenszel(
        statistic=statistic,
        p_value=float(stats.chi2.sf(statistic, 1)),
        odds_ratio=odds_ratio,
        ci_low=odds_ratio * float(np.exp(-z * log_se)),
        ci_high=odds_ratio * float(np.exp(z * log_se)),
        log_or_se=log_se,
        strata=int(t.size),
    )


def ets_class(d_dif: float, se_d: float, p_value: float, *, alpha: float = 0.05) -> str:
    """ETS DIF category: A (negligible) if |D| < 1 or the MH test is not significant; C (large) if
    |D| ≥ 1.5 and |D| is significantly above 1 (one-sided z at ``alpha``); B otherwise."""
    size = abs(d_dif)
    if size < _SMALL or p_value >= alpha:
        return "A"
    if size >= _LARGE and (size - _SMALL) / se_d > stats.norm.ppf(1 - alpha):
        return "C"
    return "B"


def mh_dif(
    item: npt.ArrayLike,
    group: npt.ArrayLike,
    matching: npt.ArrayLike,
    *,
    reference: Any,
    focal: Any,
    level: float = 0.95,
) -> DIF:
    """Mantel–Haenszel DIF of a dichotomous item (1 = keyed answer) between a reference and a focal
    group (e.g. two language versions), matched on a score such as the rest score of the scale.

    α_MH is the common odds ratio reference : focal over the score strata; MH D-DIF = −2.35·ln α_MH
    (negative: the item favours the reference group); SE(D) = 2.35·SE(ln α_MH); the test is
    ``mantelhaen.test`` with continuity correction; the class follows ETS (:func:`ets_class`).
    """
    y = np.asarray(item, dtype=float)
    g = np.asarray(group)
    score = np.asarray(matching, dtype=float)
    in_group = np.isin(g, np.asarray([reference, focal], dtype=g.dtype if g.dtype.kind != "O" else object))
    valid = ~np.isnan(y) & ~np.isnan(score) & in_group & ~is_missing(g)
    if not np.all(np.isin(y[valid], (0.0, 1.0))):
        raise ValueError("item must be coded 0/1 (1 = keyed answer)")
    strata, levels = factorize(score[valid])
    is_ref = np.asarray(g[valid] == reference)
    keyed = y[valid] == 1
    cell = strata * 4 + np.where(is_ref, 0, 2) + np.where(keyed, 0, 1)
    tables = np.bincount(cell, minlength=4 * len(levels)).reshape(len(levels), 2, 2)
    mh = mantel_haenszel(tables, correct=True, level=level)
    d = -2.35 * float(np.log(mh.odds_ratio))
    se_d = 2.35 * mh.log_or_se
    used = int(tables.sum(axis=(1, 2))[tables.sum(axis=(1, 2)) >= 2].sum())
    return DIF(
        alpha_mh=mh.odds_ratio,
        d_dif=d,
        se_d=se_d,
        statistic=mh.statistic,
        p_value=mh.p_value,
        ets_class=ets_class(d, se_d, mh.p_value),
        n=used,
    )
