"""Weighting: raking, post-stratification, linear (GREG) and logit calibration with bounds, trimming, diagnostics.

Each function returns a new :class:`~analysis.design.Design` that carries the calibration information
R stores in ``design$postStrata``, so that standard errors include the calibration residuals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .codes import MISSING, UNKNOWN, FloatArray, IntArray, combine, factorize
from .design import CalibrationStep, Design
from .errors import (
    CalibrationError,
    ConvergenceError,
    EmptyCellError,
    InconsistentMarginsError,
    MissingCategoryError,
    UnknownCategoryError,
)
from .results import WeightSummary

Totals = Mapping[str, Mapping[Any, float] | float]
Method = Literal["linear", "raking", "logit"]
METHODS: tuple[str, ...] = ("linear", "raking", "logit")

_INTERCEPT = ("(population)", "total")


@dataclass(frozen=True)
class _Problem:
    """Calibration equations X'(w·g) = T in compressed form: one row of X per calibration cell."""

    cell: IntArray | None  # (n,) row -> cell, or None when X is per row
    x: FloatArray  # (cells or n, p)
    target: FloatArray  # (p,)
    labels: tuple[tuple[str, Any], ...]  # (variable, category) of each column, for messages


def calibrate(
    design: Design,
    variables: Mapping[str, npt.ArrayLike],
    totals: Totals,
    *,
    method: Method = "linear",
    bounds: tuple[float, float] | None = None,
    population_size: float | None = None,
    trim: tuple[float, float] | None = None,
    epsilon: float = 1e-10,
    max_iter: int = 100,
) -> Design:
    """Calibrate the weights to population totals, R ``calibrate(design, formula, population, calfun,
    bounds, trim)``.

    ``totals[name]`` is a mapping category → population count for a categorical variable, or a number
    (the population total) for a numeric one. Categorical variables enter as R's treatment contrasts
    plus an intercept whose total is the population size (their common margin, or
    ``population_size``). ``method="linear"`` is GREG, g = 1 + xᵀλ (closed form without bounds, as R
    ``regcalibrate``); ``"raking"`` is g = exp(xᵀλ); ``"logit"`` is Deville and Särndal's bounded
    logit, R ``calfun = "logit"`` (``cal.logit``): with bounds (L, U), L < 1 < U, both finite, and
    A = (U − L)/((U − 1)(1 − L)), g = (L(U − 1) + U(1 − L)e^{Au})/(U − 1 + (1 − L)e^{Au}), u = xᵀλ,
    so that L < g < U. Bounds apply to g = w_new/w_old and are solved by R's Newton iteration
    (``grake``), converged when every |misfit|/(1 + |total|) ≤ ``epsilon``.
    ``trim = (lo, hi)`` trims g afterwards and spreads the excess over the untrimmed weights (R ``trim``).
    An unknown ``method`` is refused.
    """
    if method not in METHODS:
        raise CalibrationError(f"calibration method {method!r} is unknown; use linear, raking or logit")
    if method == "logit":
        if bounds is None or not all(math.isfinite(b) for b in bounds):
            raise CalibrationError("logit calibration needs finite bounds (lower, upper) on g = new/old weight")
        if not bounds[0] < 1 < bounds[1]:
            raise CalibrationError(
                f"logit calibration needs a lower bound below 1 and an upper bound above 1, not {tuple(bounds)}"
            )
    problem = _problem(design, variables, totals, population_size, positive=method == "raking")
    w0 = design.weights
    cell_w = w0 if problem.cell is None else np.bincount(problem.cell, w0, minlength=problem.x.shape[0])
    if method == "linear" and bounds is None:
        g = _linear_g(problem, cell_w)
    else:
        lo, hi = bounds if bounds is not None else (-np.inf, np.inf)
        g = _newton_g(problem, cell_w, method, lo, hi, epsilon, max_iter)
    if trim is not None:
        g = _trim_g(g, cell_w, *trim)
    g_rows = g if problem.cell is None else g[problem.cell]
    w_new = w0 * g_rows
    step = CalibrationStep(problem.cell, problem.x, w0, w_new)
    return design._replace(w_new, (*design.calibration, step))


def rake(
    design: Design,
    variables: Mapping[str, npt.ArrayLike],
    margins: Mapping[str, Mapping[Any, float]],
    *,
    epsilon: float = 1e-10,
    max_iter: int = 100,
) -> Design:
    """Rake the weights to population margins: R ``calibrate(..., calfun = "raking")``, the exact form of
    R ``rake()`` (which iterates post-stratification and approximates the calibration projection in the
    SE). Typed errors name the variable and category for an unknown or absent category, an empty cell,
    disagreeing margin totals and non-convergence."""
    for name, margin in margins.items():
        if not isinstance(margin, Mapping):
            raise CalibrationError(f"raking margin {name!r} must map categories to population counts")
    return calibrate(design, variables, margins, method="raking", epsilon=epsilon, max_iter=max_iter)


def calibrate_linear(
    design: Design,
    variables: Mapping[str, npt.ArrayLike],
    totals: Totals,
    *,
    bounds: tuple[float, float] | None = None,
    population_size: float | None = None,
    trim: tuple[float, float] | None = None,
    epsilon: float = 1e-10,
    max_iter: int = 100,
) -> Design:
    """Linear (GREG) calibration, R ``calibrate(..., calfun = "linear", bounds = c(lo, hi))``."""
    return calibrate(
        design,
        variables,
        totals,
        method="linear",
        bounds=bounds,
        population_size=population_size,
        trim=trim,
        epsilon=epsilon,
        max_iter=max_iter,
    )


def poststratify(
    design: Design,
    variable: npt.ArrayLike,
    population: Mapping[Any, float],
    *,
    name: str = "poststratum",
    partial: bool = False,
) -> Design:
    """Post-stratify, R ``postStratify(design, ~strata, population, partial)``: w_new = w · N_c / Ŵ_c.

    ``variable`` holds the post-stratum of each respondent (cross variables beforehand for a joint
    post-stratification); ``partial=True`` ignores population cells absent from the sample.
    """
    levels = tuple(population)
    codes, _ = factorize(np.asarray(variable), levels=levels)
    _check_codes(codes, np.asarray(variable), name)
    w = design.weights
    sample = np.bincount(codes, w, minlength=len(levels))
    counts = np.bincount(codes, minlength=len(levels))
    pop = np.array([float(population[c]) for c in levels])
    for j, cat in enumerate(levels):
        if counts[j] and pop[j] <= 0:
            raise CalibrationError(
                f"calibration variable {name!r}: category {cat!r} has population total {pop[j]:g} "
                f"but {counts[j]} respondents"
            )
        if pop[j] > 0 and counts[j] == 0 and not partial:
            raise MissingCategoryError(name, cat, pop[j])
        if pop[j] > 0 and counts[j] and sample[j] == 0:
            raise EmptyCellError(name, cat, pop[j])
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(counts > 0, pop / sample, 1.0)
    w_new = w * g[codes]
    step = CalibrationStep(codes, np.eye(len(levels)), w, w_new)
    return design._replace(w_new, (*design.calibration, step))


def trim_weights(design: Design, lower: float = -np.inf, upper: float = np.inf, *, strict: bool = False) -> Design:
    """Trim weights to [lower, upper] and share the trimmed amount equally among the untrimmed weights,
    R ``trimWeights(design, upper, lower, strict)``; calibration information is kept, as in R."""
    w = design.weights
    while True:
        outside = (w < lower) | (w > upper)
        if not np.any(outside):
            return design if w is design.weights else design._replace(w, design.calibration)
        trimmed = np.clip(w, lower, upper)
        excess = float(np.sum(w - trimmed))
        trimmed[~outside] += excess / np.count_nonzero(~outside)
        w = trimmed
        if not strict:
            return design._replace(w, design.calibration)


def weight_summary(design: Design) -> WeightSummary:
    """Weight range, Kish design effect n·Σw²/(Σw)² and effective sample size (Σw)²/Σw² (Kish 1965)."""
    w = design.weights
    total = float(w.sum())
    sq = float(np.sum(w * w))
    lo, hi = float(w.min()), float(w.max())
    return WeightSummary(
        n=design.n,
        total=total,
        min=lo,
        max=hi,
        ratio=hi / lo if lo > 0 else np.inf,
        kish_deff=design.n * sq / total**2,
        effective_n=total**2 / sq,
    )


# -- building the calibration equations ---------------------------------------------------------------


def _check_codes(codes: IntArray, values: np.ndarray, name: str) -> None:
    if np.any(codes == MISSING):
        raise CalibrationError(f"calibration variable {name!r} has {int(np.sum(codes == MISSING))} missing values")
    if np.any(codes == UNKNOWN):
        raise UnknownCategoryError(name, values[int(np.argmax(codes == UNKNOWN))])


def _problem(
    design: Design,
    variables: Mapping[str, npt.ArrayLike],
    totals: Totals,
    population_size: float | None,
    *,
    positive: bool,
) -> _Problem:
    if set(variables) != set(totals):
        raise CalibrationError(
            f"variables {sorted(variables)} and population totals {sorted(totals)} name different variables"
        )
    w = design.weights
    cat_codes: list[IntArray] = []
    cat_sizes: list[int] = []
    cat_cols: list[tuple[str, tuple[Any, ...], FloatArray]] = []
    numeric: list[tuple[str, FloatArray, float]] = []
    margin_totals: list[tuple[str, float]] = []
    for name, values in variables.items():
        spec = totals[name]
        arr = np.asarray(values)
        if arr.shape != (design.n,):
            raise CalibrationError(f"calibration variable {name!r} must have length {design.n}")
        if isinstance(spec, Mapping):
            levels = tuple(spec)
            codes, _ = factorize(arr, levels=levels)
            _check_codes(codes, arr, name)
            pop = np.array([float(spec[c]) for c in levels])
            counts = np.bincount(codes, minlength=len(levels))
            sample = np.bincount(codes, w, minlength=len(levels))
            for j, cat in enumerate(levels):
                if pop[j] > 0 and counts[j] == 0:
                    raise MissingCategoryError(name, cat, pop[j])
                if pop[j] > 0 and sample[j] == 0:
                    raise EmptyCellError(name, cat, pop[j])
                if positive and pop[j] <= 0 < counts[j]:
                    raise CalibrationError(
                        f"calibration variable {name!r}: category {cat!r} has population total {pop[j]:g} "
                        f"but {counts[j]} respondents; raking cannot reach it"
                    )
            # like R: a category with no population and no sample drops out of the equations
            kept = np.flatnonzero((pop != 0) | (counts > 0))
            remap = np.full(len(levels), -1, np.int64)
            remap[kept] = np.arange(kept.size)
            cat_codes.append(remap[codes])
            cat_sizes.append(int(kept.size))
            cat_cols.append((name, tuple(levels[j] for j in kept), pop[kept]))
            margin_totals.append((name, float(pop.sum())))
        else:
            x = np.asarray(arr, dtype=float)
            if np.any(np.isnan(x)):
                raise CalibrationError(f"calibration variable {name!r} has {int(np.isnan(x).sum())} missing values")
            numeric.append((name, x, float(spec)))
    if population_size is not None:
        margin_totals.insert(0, ("population_size", float(population_size)))
    for other, total in margin_totals[1:]:
        first, first_total = margin_totals[0]
        if abs(total - first_total) > 1e-9 * max(abs(total), abs(first_total), 1.0):
            raise InconsistentMarginsError(first, first_total, other, total)
    intercept = bool(margin_totals)
    labels: list[tuple[str, Any]] = [_INTERCEPT] if intercept else []
    target: list[float] = [margin_totals[0][1]] if intercept else []
    for name, levels, pop in cat_cols:
        labels.extend((name, c) for c in levels[1:])
        target.extend(pop[1:].tolist())
    for name, _, total in numeric:
        labels.append((name, "total"))
        target.append(total)
    if numeric:
        cols: list[FloatArray] = [np.ones(design.n)] if intercept else []
        for codes, size in zip(cat_codes, cat_sizes, strict=True):
            cols.extend((codes == j).astype(float) for j in range(1, size))
        cols.extend(x for _, x, _ in numeric)
        return _Problem(None, np.column_stack(cols), np.array(target), tuple(labels))
    cell, n_cells = combine(cat_codes, cat_sizes)
    first_row = np.full(n_cells, design.n, np.int64)
    np.minimum.at(first_row, cell, np.arange(design.n, dtype=np.int64))
    cols = [np.ones(n_cells)] if intercept else []
    for codes, size in zip(cat_codes, cat_sizes, strict=True):
        cell_codes = codes[first_row]
        cols.extend((cell_codes == j).astype(float) for j in range(1, size))
    return _Problem(cell, np.column_stack(cols), np.array(target), tuple(labels))


# -- solving for g -------------------------------------------------------------------------------------


def _linear_g(problem: _Problem, cell_w: FloatArray) -> FloatArray:
    """Closed-form GREG, R ``regcalibrate``: λ = (X'WX)⁻¹(T − X'w), g = 1 + Xλ."""
    x = problem.x
    tmat = (x * cell_w[:, None]).T @ x
    lam = np.linalg.lstsq(tmat, problem.target - x.T @ cell_w, rcond=None)[0]
    return 1.0 + x @ lam


def _calfun(method: Method, lo: float, hi: float) -> tuple[Callable[[FloatArray], FloatArray], ...]:
    """F(u) − 1 and F'(u) of R's calibration functions ``cal.linear``, ``cal.raking``, ``cal.logit``."""
    if method == "logit":
        a = (hi - lo) / ((hi - 1.0) * (1.0 - lo))

        # an overflowing exp gives NaN here, which grake's step halving backs away from (as in R)
        def fm1(u: FloatArray) -> FloatArray:
            with np.errstate(over="ignore", invalid="ignore"):
                e = np.exp(a * u)
                return (lo * (hi - 1.0) + hi * (1.0 - lo) * e) / (hi - 1.0 + (1.0 - lo) * e) - 1.0

        def df(u: FloatArray) -> FloatArray:
            with np.errstate(over="ignore", invalid="ignore"):
                e = np.exp(a * u)
                den = hi - 1.0 + (1.0 - lo) * e
                return (
                    hi * (1.0 - lo) * e * a / den
                    - (lo * (hi - 1.0) + hi * (1.0 - lo) * e) * (1.0 - lo) * e * a / den**2
                )

    elif method == "raking":

        def fm1(u: FloatArray) -> FloatArray:
            with np.errstate(over="ignore"):
                return np.clip(np.exp(u), lo, hi) - 1.0

        def df(u: FloatArray) -> FloatArray:
            with np.errstate(over="ignore"):
                return np.where((u < hi - 1) & (u > lo - 1), np.exp(u), 0.0)

    else:

        def fm1(u: FloatArray) -> FloatArray:
            return np.clip(u + 1.0, lo, hi) - 1.0

        def df(u: FloatArray) -> FloatArray:
            return ((u < hi - 1) & (u > lo - 1)).astype(float)

    return fm1, df


def _newton_g(
    problem: _Problem, cell_w: FloatArray, method: Method, lo: float, hi: float, epsilon: float, max_iter: int
) -> FloatArray:
    """R ``grake``: Newton steps on the calibration equations with step halving on non-finite g."""
    x, target = problem.x, problem.target
    fm1, df = _calfun(method, lo, hi)
    ww = cell_w
    sample_total = x.T @ ww
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = target / sample_total
    scale = None
    # as R: weights far below the population scale are rescaled first (bounds then apply to the result)
    if np.min(scales) > 20:
        scale = float(np.mean(scales))
        ww = ww * scale
        sample_total = sample_total * scale
    eta = np.zeros(x.shape[1])
    xeta = x @ eta
    misfit = target - sample_total
    for _ in range(max_iter):
        tmat = (x * (ww * df(xeta))[:, None]).T @ x
        misfit = target - sample_total - x.T @ (ww * fm1(xeta))
        deta = np.linalg.pinv(tmat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + deta
        xeta = x @ eta
        halvings = 0
        while not (np.all(np.isfinite(fm1(xeta))) and np.all(np.isfinite(df(xeta)))) and halvings < 50:
            deta = deta / 2
            eta = eta - deta
            xeta = x @ eta
            halvings += 1
        misfit = target - sample_total - x.T @ (ww * fm1(xeta))
        rel = np.abs(misfit) / (1.0 + np.abs(target))
        if np.all(rel < epsilon):
            g = 1.0 + fm1(xeta)
            return g * scale if scale is not None else g
    rel = np.abs(misfit) / (1.0 + np.abs(target))
    worst = int(np.argmax(rel))
    variable, category = problem.labels[worst]
    raise ConvergenceError(variable, category, float(rel[worst]), max_iter)


def _trim_g(g: FloatArray, cell_w: FloatArray, lo: float, hi: float) -> FloatArray:
    """R ``calibrate(trim = c(lo, hi))``: clip g and add the trimmed weight to the untrimmed rows."""
    new = np.clip(g, lo, hi)
    outside = (g < lo) | (g > hi)
    if np.any(outside):
        trimmings = float(np.sum((g - new) * cell_w))
        inside_w = float(np.sum(cell_w[~outside]))
        new[~outside] += trimmings / inside_w
    return new
