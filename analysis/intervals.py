"""Confidence intervals on arrays: t intervals for means and the ``svyciprop`` methods for proportions."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from .codes import FloatArray

ProportionMethod = Literal["logit", "xlogit", "beta", "wilson", "mean", "asin"]
PROPORTION_METHODS: tuple[str, ...] = ("logit", "xlogit", "beta", "wilson", "mean", "asin")


def t_quantile(df: npt.ArrayLike, level: float) -> FloatArray:
    """Two-sided quantile qt(1 − (1 − level)/2, df); normal for df = ∞, NaN for df ≤ 0 (R ``qt``)."""
    d = np.asarray(df, dtype=float)
    q = 1 - (1 - level) / 2
    with np.errstate(invalid="ignore"):
        out = np.where(np.isinf(d), stats.norm.ppf(q), stats.t.ppf(q, np.where(d > 0, d, 1.0)))
    return np.where(d > 0, out, np.nan)


def t_interval(
    value: npt.ArrayLike, se: npt.ArrayLike, df: npt.ArrayLike, level: float
) -> tuple[FloatArray, FloatArray]:
    """value ± qt(1 − α/2, df)·se, R ``confint(svymean(...), df = degf(design))``."""
    v = np.asarray(value, dtype=float)
    half = t_quantile(df, level) * np.asarray(se, dtype=float)
    return v - half, v + half


def proportion_interval(
    p: npt.ArrayLike,
    se: npt.ArrayLike,
    df: npt.ArrayLike,
    n: npt.ArrayLike,
    n_rows: npt.ArrayLike,
    method: str,
    level: float,
) -> tuple[FloatArray, FloatArray]:
    """Interval for a proportion as R ``svyciprop(method=...)`` (survey ≥ 4.1; ``wilson`` as survey 4.5).

    * ``logit``/``xlogit``: expit(logit p ± qt(df)·se/(p(1−p))) — the Wald interval of the intercept of
      ``svyglm(y ~ 1, family = quasibinomial)``.
    * ``beta`` (Korn–Graubard): n* = p(1−p)/se² · (qt(α/2, n_rows−1)/qt(α/2, df))²,
      [qbeta(α/2, n*p, n*(1−p)+1), qbeta(1−α/2, n*p+1, n*(1−p))]; ``n_rows`` is R's ``nrow(design)``.
    * ``wilson``: Wilson score interval with n* = p(1−p)/se² and z = qt(1−α/2, df).
    * ``mean``: p ± qt(df)·se.  ``asin``: sin²(asin √p ± qt(df)·se/(2√(p(1−p)))).

    A share of exactly 0 or 1 has no design-based variance; its interval is Clopper–Pearson with the
    unweighted base ``n`` (design effect taken as 1, Korn & Graubard 1998). Where df ≤ 0 every other
    interval is NaN, as R's ``qt(·, df = 0)``, even with a zero SE; where the SE is 0 and df > 0 (a
    calibrated share) the interval collapses to p.
    """
    if method not in PROPORTION_METHODS:
        raise ValueError(f"unknown proportion interval method {method!r}; use one of {PROPORTION_METHODS}")
    p_, se_, df_, n_, rows_ = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (p, se, df, n, n_rows)))
    alpha = 1 - level
    tq = t_quantile(df_, level)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        pq = p_ * (1 - p_)
        if method in ("logit", "xlogit"):
            eta = special.logit(p_)
            half = tq * se_ / pq
            lo, hi = special.expit(eta - half), special.expit(eta + half)
        elif method == "mean":
            lo, hi = p_ - tq * se_, p_ + tq * se_
        elif method == "asin":
            centre = np.arcsin(np.sqrt(p_))
            half = tq * se_ / (2 * np.sqrt(pq))
            lo, hi = np.sin(centre - half) ** 2, np.sin(centre + half) ** 2
        elif method == "wilson":
            n_eff = pq / se_**2
            z2 = tq**2
            centre = (p_ + z2 / (2 * n_eff)) / (1 + z2 / n_eff)
            half = tq * np.sqrt(pq / n_eff + z2 / (4 * n_eff**2)) / (1 + z2 / n_eff)
            lo, hi = centre - half, centre + half
        else:
            ratio = stats.t.ppf(alpha / 2, np.maximum(rows_ - 1, 1)) / stats.t.ppf(alpha / 2, np.where(df_ > 0, df_, 1))
            n_eff = pq / se_**2 * ratio**2
            lo = stats.beta.ppf(alpha / 2, n_eff * p_, n_eff * (1 - p_) + 1)
            hi = stats.beta.ppf(1 - alpha / 2, n_eff * p_ + 1, n_eff * (1 - p_))
            lo = np.where(df_ > 0, lo, np.nan)
            hi = np.where(df_ > 0, hi, np.nan)
        flat = (se_ == 0) & (p_ > 0) & (p_ < 1) & (df_ > 0)
        lo = np.where(flat, p_, lo)
        hi = np.where(flat, p_, hi)
        cp_lo, cp_hi = clopper_pearson(p_ * n_, n_, level)
        edge = ((p_ == 0) | (p_ == 1)) & (n_ > 0)
        lo = np.where(edge, cp_lo, lo)
        hi = np.where(edge, cp_hi, hi)
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)


def clopper_pearson(x: npt.ArrayLike, n: npt.ArrayLike, level: float) -> tuple[FloatArray, FloatArray]:
    """Exact binomial interval (R ``binom.test``): [qbeta(α/2, x, n−x+1), qbeta(1−α/2, x+1, n−x)]."""
    x_ = np.asarray(x, dtype=float)
    n_ = np.asarray(n, dtype=float)
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        lo = np.where(x_ > 0, stats.beta.ppf(alpha / 2, np.maximum(x_, 1e-300), n_ - x_ + 1), 0.0)
        hi = np.where(x_ < n_, stats.beta.ppf(1 - alpha / 2, x_ + 1, np.maximum(n_ - x_, 1e-300)), 1.0)
    return lo, hi
