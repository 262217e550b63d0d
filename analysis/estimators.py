"""Estimators on a design: totals, means, ratios, proportions, each overall or for a domain.

Missing values (NaN/None) are dropped per item like R ``na.rm = TRUE``: such rows, and rows outside
the domain, contribute zero influence but stay in the design (R ``subset()`` of a calibrated design),
so the variance uses the whole design's strata, PSUs and calibration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .codes import BoolArray, FloatArray, factorize, is_missing
from .design import Design
from .intervals import t_interval
from .results import Estimate, ShareTable
from .tables import item_codes, share_arrays


def _domain(design: Design, domain: npt.ArrayLike | None) -> BoolArray:
    if domain is None:
        return np.ones(design.n, bool)
    mask = np.asarray(domain)
    if mask.shape != (design.n,) or mask.dtype != bool:
        raise ValueError(f"domain must be a boolean array of length {design.n}")
    return mask


def _values(design: Design, y: npt.ArrayLike, name: str = "y") -> FloatArray:
    arr = np.asarray(y)
    if arr.shape != (design.n,):
        raise ValueError(f"{name} must have length {design.n}")
    if arr.dtype.kind == "O":
        arr = np.where(is_missing(arr), np.nan, arr)
    return arr.astype(float)


def _linear(
    design: Design, valid: BoolArray, value: float, influence: FloatArray, level: float, df_offset: int = 0
) -> Estimate:
    """SE, df and t interval of a linear(ised) estimator with row influence ``w_i · influence_i``."""
    tab = design.tabulate()
    member = valid[:, None]
    n = int(design.domain_n(tab, member)[0])
    if n == 0 or not np.isfinite(value):
        return Estimate(np.nan, np.nan, np.nan, np.nan, np.nan, n, ("empty",))
    df = float(design.domain_df(tab, member)[0]) - df_offset
    var = float(design.variance(tab, influence)[0])
    se = float(np.sqrt(max(var, 0.0)))
    lo, hi = t_interval(value, se, df, level)
    flags = []
    if df <= 0:
        flags.append("no_df")
    if se == 0:
        flags.append("zero_variance")
    return Estimate(float(value), se, float(lo), float(hi), df, n, tuple(flags))


def total(design: Design, y: npt.ArrayLike, domain: npt.ArrayLike | None = None, *, level: float = 0.95) -> Estimate:
    """Population total Σ w_i y_i over the domain, R ``svytotal(~y, subset(design, domain), na.rm=TRUE)``;
    influence w_i·y_i, t interval on the domain's design df."""
    yv = _values(design, y)
    valid = _domain(design, domain) & ~np.isnan(yv)
    e = np.where(valid, yv, 0.0)
    return _linear(design, valid, float(np.sum(design.weights * e)), e, level)


def mean(design: Design, y: npt.ArrayLike, domain: npt.ArrayLike | None = None, *, level: float = 0.95) -> Estimate:
    """Weighted mean ȳ = Σ w y / Σ w over the domain, R ``svymean(~y, subset(design, domain), na.rm=TRUE)``;
    influence w_i (y_i − ȳ)/Σw, t interval on the domain's design df."""
    yv = _values(design, y)
    valid = _domain(design, domain) & ~np.isnan(yv)
    w = design.weights
    wsum = float(np.sum(w[valid]))
    if wsum == 0:
        return _linear(design, valid, np.nan, np.zeros(design.n), level)
    ybar = float(np.sum(w[valid] * yv[valid]) / wsum)
    constant = np.ptp(yv[valid]) == 0
    e = np.zeros(design.n) if constant else np.where(valid, yv - ybar, 0.0) / wsum
    return _linear(design, valid, float(yv[valid][0]) if constant else ybar, e, level)


def ratio(
    design: Design,
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    domain: npt.ArrayLike | None = None,
    *,
    level: float = 0.95,
) -> Estimate:
    """Ratio of totals R = Σ w y / Σ w x, R ``svyratio(~y, ~x, design, na.rm = TRUE)``;
    influence w_i (y_i − R x_i)/Σ w x."""
    yv = _values(design, numerator, "numerator")
    xv = _values(design, denominator, "denominator")
    valid = _domain(design, domain) & ~np.isnan(yv) & ~np.isnan(xv)
    w = design.weights
    xsum = float(np.sum(w[valid] * xv[valid]))
    if xsum == 0:
        return _linear(design, valid, np.nan, np.zeros(design.n), level)
    r = float(np.sum(w[valid] * yv[valid]) / xsum)
    e = np.where(valid, yv - r * xv, 0.0) / xsum
    return _linear(design, valid, r, e, level)


def proportions(
    design: Design,
    y: npt.ArrayLike,
    domain: npt.ArrayLike | None = None,
    *,
    method: str = "logit",
    level: float = 0.95,
    exclude: Iterable[Any] = (),
    categories: Sequence[Any] | None = None,
) -> dict[Any, Estimate]:
    """Share of every answer category, R ``svymean(~factor(y), subset(design, domain), na.rm = TRUE)``,
    with ``svyciprop`` intervals (``method``: logit, xlogit, beta, wilson, mean, asin).

    Missing and ``exclude``-d codes (e.g. 9 = don't know) leave the denominator. ``categories`` fixes
    the order and keeps categories nobody chose (share 0).
    """
    arr = np.asarray(y)
    if arr.shape != (design.n,):
        raise ValueError(f"y must have length {design.n}")
    ycode, cats = item_codes("y", arr, categories, exclude)
    gcode = np.where(_domain(design, domain), 0, -1)
    arrays = share_arrays(design, ycode, len(cats), gcode, 1, overall=False, method=method, level=level)
    table = ShareTable("y", tuple(cats), ((None, None),), method=method, level=level, **arrays)
    return table.column()


def proportion_ci(
    design: Design,
    y: npt.ArrayLike,
    domain: npt.ArrayLike | None = None,
    *,
    method: str = "logit",
    level: float = 0.95,
) -> Estimate:
    """Proportion of a 0/1 (or boolean) item with the interval of R ``svyciprop(~y, design, method)``;
    df is ``degf`` of the domain's respondents with a valid answer, as R on ``subset(design, domain &
    !is.na(y))``."""
    arr = np.asarray(y)
    if arr.dtype == bool:
        arr = arr.astype(float)
    return proportions(design, arr, domain, method=method, level=level, categories=(0, 1))[1]


def design_effect(design: Design, y: npt.ArrayLike, domain: npt.ArrayLike | None = None) -> float:
    """Design effect of a mean, R ``deff(svymean(~y, design, deff = TRUE))``: V / V_srs with
    V_srs = s²_w (N̂ − n)/(N̂ n), s²_w the weighted variance × n/(n−1) (R ``svyvar``).

    As R: when the weights sum to n (all weights 1) V_srs is 0 and the result is ``inf``, or NaN when V
    is 0 too; when they sum to less than n (R warns "are weights correctly scaled?") it is NaN."""
    est = mean(design, y, domain)
    yv = _values(design, y)
    valid = _domain(design, domain) & ~np.isnan(yv)
    w = design.weights[valid]
    n = np.float64(np.count_nonzero(w))
    wsum = np.float64(w.sum())
    if wsum < n:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = np.sum(w * (yv[valid] - est.value) ** 2) / wsum * n / (n - 1)
        return float(np.float64(est.se) ** 2 / (s2 * (wsum - n) / (wsum * n)))


def by(
    design: Design,
    estimator: Callable[..., Any],
    y: npt.ArrayLike,
    group: npt.ArrayLike,
    **kwargs: Any,
) -> dict[Any, Any]:
    """Apply an estimator to every level of ``group`` as a domain, R ``svyby(~y, ~group, design, FUN)``."""
    codes, levels = factorize(np.asarray(group))
    return {lev: estimator(design, y, codes == j, **kwargs) for j, lev in enumerate(levels)}
