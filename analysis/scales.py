"""Scales: 0–100 rescaling, domain indices, Cronbach's alpha with the Feldt interval, omega total."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

from .codes import FloatArray
from .results import Alpha, Omega


def rescale(
    y: npt.ArrayLike, low: float, high: float, *, reverse: bool = False, exclude: Iterable[Any] = ()
) -> FloatArray:
    """Map answers on [low, high] to 0–100: 100·(y − low)/(high − low), or 100·(high − y)/(high − low)
    with ``reverse`` (so that higher always means better relations). ``exclude`` codes (don't know)
    and missing values become NaN; other values outside [low, high] are an error."""
    arr = np.asarray(y, dtype=float).copy()
    for code in exclude:
        arr[arr == code] = np.nan
    bad = ~np.isnan(arr) & ((arr < low) | (arr > high))
    if np.any(bad):
        raise ValueError(f"value {arr[bad][0]:g} lies outside the scale {low:g}–{high:g}")
    score = (high - arr) if reverse else (arr - low)
    return 100.0 * score / (high - low)


def domain_index(scores: npt.ArrayLike, *, min_answered: float = 2 / 3) -> FloatArray:
    """Respondent-level index: mean of the available 0–100 item scores (rows = respondents), NaN when
    fewer than ``min_answered`` of the items are answered (default the ⅔ rule)."""
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2:
        raise ValueError("scores must be a respondents × items array")
    answered = np.sum(~np.isnan(x), axis=1)
    enough = (answered >= np.ceil(min_answered * x.shape[1] - 1e-9)) & (answered > 0)
    sums = np.sum(np.nan_to_num(x), axis=1)
    return np.where(enough, sums / np.maximum(answered, 1), np.nan)


def feldt_interval(alpha: float, n: int, k: int, *, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) interval for Cronbach's alpha, R ``psych::alpha.ci(alpha, n.obs, n.var)``:
    1 − (1 − α)·F(1 − p/2 | n−1, (n−1)(k−1)) to 1 − (1 − α)·F(p/2 | …), p = 1 − level."""
    p = 1 - level
    d1, d2 = n - 1, (n - 1) * (k - 1)
    return (
        float(1 - (1 - alpha) * stats.f.ppf(1 - p / 2, d1, d2)),
        float(1 - (1 - alpha) * stats.f.ppf(p / 2, d1, d2)),
    )


def cronbach_alpha(
    items: npt.ArrayLike,
    *,
    reverse: Sequence[bool] | None = None,
    use: Literal["pairwise", "complete"] = "pairwise",
    level: float = 0.95,
) -> Alpha:
    """Cronbach's alpha as R ``psych::alpha(items, keys)`` reports it (unweighted).

    C is the item covariance matrix (``use="pairwise"`` as psych's default, or complete cases as
    ``alpha(na.omit(items))``), R = cov2cor(C), k items, n rows:
    raw α = k/(k−1)·(1 − tr C / ΣC); standardised α = k/(k−1)·(1 − k/ΣR);
    G6 = 1 − (k − Σ smc)/ΣR; average r = (ΣR − k)/(k(k−1)); ase = √(Q/n) (psych's Q);
    r.drop (item–rest correlation) = (ΣC_i· − C_ii)/√(C_ii·ΣC_{−i,−i}); Feldt interval on (n, k).
    ``reverse`` flags items to reverse as max + min − x over all items (psych ``keys``).
    """
    x = np.asarray(items, dtype=float).copy()
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError("items must be a respondents × items array with at least two items")
    if reverse is not None:
        flip = np.asarray(reverse, dtype=bool)
        x[:, flip] = np.nanmax(x) + np.nanmin(x) - x[:, flip]
    if use == "complete":
        x = x[~np.any(np.isnan(x), axis=1)]
    n, k = x.shape
    c = pairwise_cov(x)
    sd = np.sqrt(np.diag(c))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = c / np.outer(sd, sd)
    total_c, total_r, trace_c = float(c.sum()), float(r.sum()), float(np.trace(c))
    raw = (1 - trace_c / total_c) * k / (k - 1)
    std = (1 - k / total_r) * k / (k - 1)
    try:
        smc = 1 - 1 / np.diag(np.linalg.inv(r))
        g6 = 1 - (k - float(smc.sum())) / total_r
    except np.linalg.LinAlgError:
        g6 = np.nan
    average_r = (total_r - k) / (k * (k - 1))
    cc = c @ c
    q = (2 * k**2 / ((k - 1) ** 2 * total_c**3)) * (
        total_c * (np.trace(cc) + trace_c**2) - 2 * trace_c * float(cc.sum())
    )
    r_drop = []
    for i in range(k):
        rest = np.delete(np.arange(k), i)
        r_drop.append(float((c[:, i].sum() - c[i, i]) / np.sqrt(c[i, i] * c[np.ix_(rest, rest)].sum())))
    return Alpha(
        raw_alpha=float(raw),
        std_alpha=float(std),
        g6=float(g6),
        average_r=float(average_r),
        ase=float(np.sqrt(q / n)),
        n=n,
        k=k,
        r_drop=tuple(r_drop),
        feldt=feldt_interval(float(raw), n, k, level=level),
    )


def pairwise_cov(x: FloatArray) -> FloatArray:
    """Covariance matrix from pairwise complete observations, R ``cov(x, use = "pairwise")``."""
    k = x.shape[1]
    c = np.empty((k, k))
    ok = ~np.isnan(x)
    for i in range(k):
        for j in range(i, k):
            both = ok[:, i] & ok[:, j]
            a, b = x[both, i], x[both, j]
            c[i, j] = c[j, i] = float(np.sum((a - a.mean()) * (b - b.mean())) / (both.sum() - 1))
    return c


def omega_total(items: npt.ArrayLike) -> Omega:
    """McDonald's omega total from one factor, R ``psych::omega(na.omit(items), nfactors = 1)``:
    minres (unweighted least squares) loadings λ of the correlation matrix R of the complete cases,
    ω_t = 1 − Σ(1 − λ²)/ΣR. The loadings solve the least-squares problem exactly; psych's optimiser
    stops within about 1e-5 of them, which moves ω_t by less than 1e-7."""
    x = np.asarray(items, dtype=float)
    x = x[~np.any(np.isnan(x), axis=1)]
    r = np.corrcoef(x, rowvar=False)
    k = r.shape[0]
    upper = np.triu_indices(k, 1)
    start = np.sqrt(np.clip(1 - 1 / np.diag(np.linalg.inv(r)), 0.01, 1.0))

    def residuals(lam: FloatArray) -> FloatArray:
        return (r - np.outer(lam, lam))[upper]

    fit = optimize.least_squares(residuals, start, xtol=1e-15, ftol=1e-15, gtol=1e-15)
    lam = fit.x * np.sign(fit.x.sum())
    omega = 1 - float(np.sum(1 - lam**2)) / float(r.sum())
    return Omega(omega_total=omega, loadings=tuple(lam.tolist()), n=int(x.shape[0]))
