"""Tests and comparisons: Rao–Scott, domain and wave differences, trends, multiplicity, effect size."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from .codes import factorize
from .design import Design
from .estimators import _domain, _values, mean
from .intervals import t_quantile
from .regression import regression
from .results import Contrast, Estimate, RaoScott


def rao_scott(
    design: Design,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    domain: npt.ArrayLike | None = None,
    *,
    statistic: Literal["F", "Chisq"] = "F",
) -> RaoScott:
    """Rao–Scott test of independence of two categorical items, R ``svychisq(~x + y, design, statistic)``.

    With p̂ the design-based cell shares (r·c), V their linearisation covariance, C the interaction
    contrasts, D = diag(p̂): Δ = (CᵀD⁻¹C/N)⁻¹ CᵀD⁻¹VD⁻¹C. ``"F"`` (second order): F = X²/tr Δ on
    (d, d·ν) df with d = (tr Δ)²/tr Δ², ν = design df. ``"Chisq"`` (first order): as R, the statistic
    is the unadjusted X² and the p-value that of X²/mean(diag Δ) (``adjusted``) on (r−1)(c−1) df.
    X² is Pearson's statistic on the weighted table scaled to N = rows of the design (``pearson``).
    Rows missing x or y (or outside ``domain``) keep zero weight in the whole design; ν is, as in R,
    PSUs minus strata of the whole design counting rows of zero weight (:attr:`Design.degf_all_rows`).
    """
    xcode, _ = factorize(np.asarray(x))
    ycode, _ = factorize(np.asarray(y))
    valid = _domain(design, domain) & (xcode >= 0) & (ycode >= 0) & (design.weights != 0)
    xs = np.unique(xcode[valid], return_inverse=True)[1]
    ys = np.unique(ycode[valid], return_inverse=True)[1]
    nr, nc = int(xs.max(initial=-1)) + 1, int(ys.max(initial=-1)) + 1
    if nr < 2 or nc < 2:
        raise ValueError(f"a test of independence needs two observed categories of each item (got {nr} × {nc})")
    k = nr * nc
    cell = np.full(design.n, k, np.int64)
    cell[valid] = xs + nr * ys
    tab = design.tabulate(cell, k + 1)
    sw = np.bincount(tab.src, tab.sw, minlength=k + 1)[:k]
    p = sw / sw.sum()
    infl = (np.eye(k + 1, k) - p) / sw.sum()
    infl[k] = 0.0
    v = design.variance(tab, infl, cov=True)
    n_rows = design.n
    observed = (p * n_rows).reshape(nc, nr).T
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n_rows
    pearson = float(np.sum((observed - expected) ** 2 / expected))
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    main = np.column_stack(
        [np.ones(k)]
        + [(rows == i).astype(float) for i in range(1, nr)]
        + [(cols == j).astype(float) for j in range(1, nc)]
    )
    inter = np.column_stack([((rows == i) & (cols == j)).astype(float) for j in range(1, nc) for i in range(1, nr)])
    contrast = inter - main @ np.linalg.lstsq(main, inter, rcond=None)[0]
    inv_d = np.diag(np.where(p > 0, 1.0 / np.where(p > 0, p, 1.0), 0.0))
    denom = contrast.T @ (inv_d / n_rows) @ contrast
    numer = contrast.T @ inv_d @ v @ inv_d @ contrast
    delta = np.linalg.solve(denom, numer)
    nu = float(design.degf_all_rows)
    trace = float(np.trace(delta))
    delta_mean = trace / delta.shape[1]
    if statistic == "F":
        d0 = trace**2 / float(np.trace(delta @ delta))
        f = pearson / trace
        return RaoScott(f, d0, d0 * nu, float(stats.f.sf(f, d0, d0 * nu)), pearson, "F", delta_mean)
    if statistic == "Chisq":
        df = delta.shape[1]
        p = float(stats.chi2.sf(pearson / delta_mean, df))
        return RaoScott(pearson, float(df), np.inf, p, pearson, "Chisq", delta_mean)
    raise ValueError(f"statistic must be 'F' or 'Chisq', not {statistic!r}")


def domain_difference(
    design: Design,
    y: npt.ArrayLike,
    domain_a: npt.ArrayLike,
    domain_b: npt.ArrayLike,
    *,
    level: float = 0.95,
) -> Contrast:
    """Difference of means (or shares, for a 0/1 item) between two domains of one sample,
    R ``svyttest(y ~ group, design)``: influence z_a − z_b through the variance kernel, t test on
    degf − 1 of the two domains' respondents (the df of R's two-coefficient ``svyglm``)."""
    yv = _values(design, y)
    a = _domain(design, domain_a) & ~np.isnan(yv)
    b = _domain(design, domain_b) & ~np.isnan(yv)
    w = design.weights
    wa, wb = float(w[a].sum()), float(w[b].sum())
    if wa == 0 or wb == 0:
        return Contrast(np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan)
    ma, mb = float(np.sum(w[a] * yv[a]) / wa), float(np.sum(w[b] * yv[b]) / wb)
    infl = np.where(a, yv - ma, 0.0) / wa - np.where(b, yv - mb, 0.0) / wb
    tab = design.tabulate()
    se = float(np.sqrt(max(design.variance(tab, infl)[0], 0.0)))
    df = float(design.domain_df(tab, (a | b)[:, None])[0]) - 1
    return _contrast(ma - mb, se, df, level)


def t_test(
    design: Design,
    y: npt.ArrayLike,
    domain: npt.ArrayLike | None = None,
    *,
    mu: float = 0.0,
    level: float = 0.95,
) -> Contrast:
    """One-sample design-based t test of mean(y) − mu = 0, R ``svyttest(y ~ 0, design)`` (df = degf − 1);
    the interval is for mean(y) − mu."""
    est = mean(design, y, domain, level=level)
    return _contrast(est.value - mu, est.se, est.df - 1, level)


def wave_difference(later: Estimate, earlier: Estimate, *, level: float = 0.95) -> Contrast:
    """Change between two independent samples (waves): d = later − earlier, SE = √(se₁² + se₂²),
    two-sided normal test and interval (as oracle.R's ``diff_BELb``)."""
    se = float(np.hypot(later.se, earlier.se))
    return _contrast(later.value - earlier.value, se, np.inf, level)


def trend_test(
    design: Design,
    y: npt.ArrayLike,
    time: npt.ArrayLike,
    domain: npt.ArrayLike | None = None,
    *,
    level: float = 0.95,
) -> Contrast:
    """Linear trend of a 0/1 indicator over waves: slope (log-odds per unit of ``time``) of the
    design-weighted logistic regression, R ``svyglm(y ~ time, design, family = quasibinomial)``;
    t test on its residual df. Stack independent waves with :meth:`Design.stack` first."""
    fit = regression(design, y, {"time": np.asarray(time, dtype=float)}, family="binomial", domain=domain)
    return _contrast(float(fit.coef[1]), float(fit.se[1]), fit.df_residual, level)


def _contrast(value: float, se: float, df: float, level: float) -> Contrast:
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = value / se if se > 0 else np.nan
    if np.isinf(df):
        p = float(2 * stats.norm.sf(abs(stat)))
    else:
        p = float(2 * stats.t.sf(abs(stat), df)) if df > 0 else np.nan
    half = float(t_quantile(df, level)) * se
    return Contrast(value, se, value - half, value + half, df, float(stat), p)


def p_adjust(p: npt.ArrayLike, method: Literal["holm", "BH"] = "holm") -> npt.NDArray[np.float64]:
    """Adjusted p-values, R ``p.adjust(p, method)``: Holm's step-down (family-wise error) or
    Benjamini–Hochberg step-up (false discovery rate). NaN entries stay NaN and are not counted."""
    pv = np.asarray(p, dtype=float)
    out = np.full(pv.shape, np.nan)
    ok = ~np.isnan(pv)
    q = pv[ok]
    m = q.size
    if m == 0:
        return out
    if method == "holm":
        order = np.argsort(q, kind="stable")
        adj = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * q[order]))
    elif method == "BH":
        order = np.argsort(q, kind="stable")[::-1]
        adj = np.minimum.accumulate(np.minimum(1.0, m / np.arange(m, 0, -1) * q[order]))
    else:
        raise ValueError(f"method must be 'holm' or 'BH', not {method!r}")
    result = np.empty(m)
    result[order] = adj
    out[ok] = result
    return out


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h = 2·asin √p₁ − 2·asin √p₂ (R ``pwr::ES.h``); 0.2 small, 0.5 medium, 0.8 large."""
    return float(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2)))
