"""Design-based generalised linear models (R ``svyglm``): linear and logistic regression."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from .codes import FloatArray
from .design import Design
from .errors import AnalysisError
from .results import Regression, WaldTest

Family = Literal["gaussian", "binomial"]


def regression(
    design: Design,
    y: npt.ArrayLike,
    x: Mapping[str, npt.ArrayLike] | npt.ArrayLike,
    *,
    family: Family = "gaussian",
    intercept: bool = True,
    domain: npt.ArrayLike | None = None,
    max_iter: int = 50,
    tol: float = 1e-12,
) -> Regression:
    """Fit y ~ x by design-weighted (quasi-)likelihood, R ``svyglm(y ~ x, design, family)``.

    ``family="binomial"`` is R's ``quasibinomial`` (logit link; y may be a share in [0, 1]).
    The covariance is the sandwich of R ``svy.varcoef``: influence values w_i (y_i − μ_i) x_i A⁻¹ with
    A = Σ w μ'(η) x xᵀ, passed through the design's variance kernel (so calibration residuals are
    included); ``df_residual`` = degf + 1 − p as R. Rows with a missing value are left out
    (zero influence; the design stays whole).
    """
    yv = np.asarray(y, dtype=float)
    names, xm = _model_matrix(x, yv.size, intercept)
    valid = ~np.isnan(yv) & ~np.any(np.isnan(xm), axis=1)
    if domain is not None:
        valid &= np.asarray(domain, dtype=bool)
    w = np.where(valid, design.weights, 0.0)
    yz = np.where(valid, yv, 0.0)
    xz = np.where(valid[:, None], xm, 0.0)
    if family == "gaussian":
        a = (xz * w[:, None]).T @ xz
        beta = np.linalg.solve(a, xz.T @ (w * yz))
        resid = yz - xz @ beta
    elif family == "binomial":
        beta, a, resid = _logistic(xz, yz, w, max_iter, tol)
    else:
        raise ValueError(f"family must be 'gaussian' or 'binomial', not {family!r}")
    influence = np.where(valid[:, None], resid[:, None] * xz, 0.0) @ np.linalg.inv(a)
    tab = design.tabulate()
    cov = design.variance(tab, influence, cov=True)
    df = float(design.domain_df(tab, valid[:, None])[0]) + 1 - len(names)
    return Regression(tuple(names), beta, cov, df)


def _model_matrix(
    x: Mapping[str, npt.ArrayLike] | npt.ArrayLike, n: int, intercept: bool
) -> tuple[list[str], FloatArray]:
    if isinstance(x, Mapping):
        names = list(x)
        cols = [np.asarray(v, dtype=float) for v in x.values()]
    else:
        arr = np.asarray(x, dtype=float)
        arr = arr[:, None] if arr.ndim == 1 else arr
        names = [f"x{j + 1}" for j in range(arr.shape[1])]
        cols = [arr[:, j] for j in range(arr.shape[1])]
    if intercept:
        names.insert(0, "(Intercept)")
        cols.insert(0, np.ones(n))
    xm = np.column_stack(cols)
    if xm.shape[0] != n:
        raise ValueError(f"the model matrix has {xm.shape[0]} rows for {n} responses")
    return names, xm


def _logistic(
    x: FloatArray, y: FloatArray, w: FloatArray, max_iter: int, tol: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Newton–Raphson for the weighted logistic score equations Σ w (y − μ) x = 0."""
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        mu = special.expit(x @ beta)
        a = (x * (w * mu * (1 - mu))[:, None]).T @ x
        step = np.linalg.solve(a, x.T @ (w * (y - mu)))
        beta = beta + step
        if np.max(np.abs(step)) <= tol * (1 + np.max(np.abs(beta))):
            mu = special.expit(x @ beta)
            a = (x * (w * mu * (1 - mu))[:, None]).T @ x
            return beta, a, y - mu
    raise AnalysisError("logistic regression did not converge (perfect separation or a constant outcome?)")


def wald_test(fit: Regression, terms: Sequence[int]) -> WaldTest:
    """Wald F test that the coefficients ``terms`` are all zero, R ``regTermTest(fit, ~terms)``:
    F = bᵀV⁻¹b / q on (q, df_residual) degrees of freedom."""
    idx = list(terms)
    b = fit.coef[idx]
    stat = float(b @ np.linalg.solve(fit.cov[np.ix_(idx, idx)], b)) / len(idx)
    return WaldTest(stat, float(len(idx)), fit.df_residual, float(stats.f.sf(stat, len(idx), fit.df_residual)))
