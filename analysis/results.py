"""Typed results returned by the estimators and tests (frozen dataclasses, no behaviour beyond access)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

#: Flags an estimate can carry.
#: ``empty``: no respondent in the domain (value NaN);
#: ``no_df``: the domain has no design degrees of freedom (one PSU / one respondent): t intervals are NaN;
#: ``zero_variance``: the estimated variance is zero (constant answers, or a calibrated share);
#: ``boundary``: a share of exactly 0 or 1, whose interval is Clopper-Pearson with the unweighted base;
#: ``caution``: unweighted base in the caution band (disclosure rules);
#: ``suppressed``: not to be published (disclosure rules); value, SE and interval are NaN.
FLAGS = ("empty", "no_df", "zero_variance", "boundary", "caution", "suppressed")


@dataclass(frozen=True, slots=True)
class Estimate:
    """One design-based estimate with its linearisation SE and confidence interval.

    ``n`` is the unweighted base (respondents with non-zero weight in the domain and a valid answer);
    ``count`` is, for a share, the unweighted number of respondents in that category.
    """

    value: float
    se: float
    ci_low: float
    ci_high: float
    df: float
    n: int
    flags: tuple[str, ...] = ()
    count: int | None = None

    @property
    def cv(self) -> float:
        """Coefficient of variation se / |value| (R ``cv()``)."""
        return self.se / abs(self.value) if self.value else math.nan


@dataclass(frozen=True, slots=True)
class Contrast:
    """A difference or slope with SE, interval and a two-sided test against zero.

    ``df`` is ``inf`` when the reference distribution is the normal one.
    """

    value: float
    se: float
    ci_low: float
    ci_high: float
    df: float
    statistic: float
    p_value: float


@dataclass(frozen=True, slots=True)
class WeightSummary:
    """Weight diagnostics: range, Kish design effect n·Σw²/(Σw)² and effective n (Σw)²/Σw²."""

    n: int
    total: float
    min: float
    max: float
    ratio: float
    kish_deff: float
    effective_n: float


@dataclass(frozen=True, slots=True)
class RaoScott:
    """Rao-Scott test of independence in a two-way table (R ``svychisq``), named as R names it.

    ``pearson`` is Pearson's X² of the weighted table scaled to the number of rows of the design.
    ``statistic`` is what R prints: for ``kind="F"`` the second-order F = X²/tr Δ; for
    ``kind="Chisq"`` the unadjusted X-squared (= ``pearson``), whose p-value R takes from the
    first-order corrected ``adjusted`` = X²/mean(δ) on ``df_num`` df. ``delta_mean`` is mean(δ), the
    mean generalised design effect (the eigenvalues δ of Δ).
    """

    statistic: float
    df_num: float
    df_den: float
    p_value: float
    pearson: float
    kind: str
    delta_mean: float

    @property
    def adjusted(self) -> float:
        """The first-order Rao-Scott statistic X²/mean(δ), referred to χ² on (r−1)(c−1) df."""
        return self.pearson / self.delta_mean


@dataclass(frozen=True, slots=True)
class WaldTest:
    """A Wald F test of several coefficients (R ``regTermTest``)."""

    statistic: float
    df_num: float
    df_den: float
    p_value: float


@dataclass(frozen=True, slots=True)
class Regression:
    """Design-based GLM fit (R ``svyglm``): coefficients, sandwich covariance and t tests."""

    names: tuple[str, ...]
    coef: npt.NDArray[np.float64]
    cov: npt.NDArray[np.float64]
    df_residual: float

    @property
    def se(self) -> npt.NDArray[np.float64]:
        """Standard errors of the coefficients."""
        return np.sqrt(np.diag(self.cov))

    @property
    def t(self) -> npt.NDArray[np.float64]:
        """Wald t statistics."""
        return self.coef / self.se

    @property
    def p_value(self) -> npt.NDArray[np.float64]:
        """Two-sided p-values on ``df_residual`` degrees of freedom (R ``summary.svyglm``)."""
        from scipy import stats

        return 2 * stats.t.sf(np.abs(self.t), self.df_residual)


@dataclass(frozen=True, slots=True)
class Alpha:
    """Cronbach's alpha and companions as psych::alpha reports them, with the Feldt interval."""

    raw_alpha: float
    std_alpha: float
    g6: float
    average_r: float
    ase: float
    n: int
    k: int
    r_drop: tuple[float, ...]
    feldt: tuple[float, float]


@dataclass(frozen=True, slots=True)
class Omega:
    """McDonald's omega total from a one-factor minres solution (psych::omega, nfactors = 1)."""

    omega_total: float
    loadings: tuple[float, ...]
    n: int


@dataclass(frozen=True, slots=True)
class MantelHaenszel:
    """Mantel-Haenszel test and common odds ratio over 2×2×K tables (R ``mantelhaen.test``)."""

    statistic: float
    p_value: float
    odds_ratio: float
    ci_low: float
    ci_high: float
    log_or_se: float
    strata: int


@dataclass(frozen=True, slots=True)
class DIF:
    """Mantel-Haenszel DIF of one item between a reference and a focal group, with the ETS class.

    ``alpha_mh`` is the common odds ratio reference : focal; ``d_dif`` = −2.35·ln(alpha_mh).
    """

    alpha_mh: float
    d_dif: float
    se_d: float
    statistic: float
    p_value: float
    ets_class: str
    n: int


@dataclass(frozen=True)
class ShareTable:
    """Shares of every answer category of one item, overall and by domain, as arrays.

    ``domains[j]`` is ``(group, level)``; the overall column is ``(None, None)``. Arrays ``value``,
    ``se``, ``ci_low``, ``ci_high``, ``count``, ``suppressed`` are (categories × domains); ``n``, ``df``,
    ``caution``, ``base_suppressed`` are per domain. The masks are empty until
    :func:`~analysis.disclosure.disclose` has been applied.
    """

    item: str
    categories: tuple[Any, ...]
    domains: tuple[tuple[str | None, Any], ...]
    value: npt.NDArray[np.float64]
    se: npt.NDArray[np.float64]
    ci_low: npt.NDArray[np.float64]
    ci_high: npt.NDArray[np.float64]
    count: npt.NDArray[np.int64]
    n: npt.NDArray[np.int64]
    df: npt.NDArray[np.float64]
    method: str
    level: float
    suppressed: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros((0, 0), bool))
    caution: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    base_suppressed: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))

    def domain_index(self, group: str | None = None, level: Any = None) -> int:
        """Column of the domain ``group = level`` (both ``None`` for the whole sample)."""
        try:
            return self.domains.index((group, level))
        except ValueError:
            raise KeyError(f"{self.item}: no domain {group!r} = {level!r}") from None

    def estimate(self, category: Any, group: str | None = None, level: Any = None) -> Estimate:
        """The share of ``category`` in the domain ``group = level`` as an :class:`Estimate`."""
        i = self.categories.index(category)
        j = self.domain_index(group, level)
        return self._cell(i, j)

    def column(self, group: str | None = None, level: Any = None) -> dict[Any, Estimate]:
        """All category shares of one domain."""
        j = self.domain_index(group, level)
        return {c: self._cell(i, j) for i, c in enumerate(self.categories)}

    def _cell(self, i: int, j: int) -> Estimate:
        flags = _share_flags(self, i, j)
        return Estimate(
            value=float(self.value[i, j]),
            se=float(self.se[i, j]),
            ci_low=float(self.ci_low[i, j]),
            ci_high=float(self.ci_high[i, j]),
            df=float(self.df[j]),
            n=int(self.n[j]),
            flags=flags,
            count=int(self.count[i, j]),
        )


def _share_flags(t: ShareTable, i: int, j: int) -> tuple[str, ...]:
    flags = []
    if t.n[j] == 0:
        flags.append("empty")
    elif t.df[j] <= 0:
        flags.append("no_df")
    if t.n[j] > 0 and t.se[i, j] == 0:
        flags.append("zero_variance")
    if t.n[j] > 0 and t.count[i, j] in (0, t.n[j]):
        flags.append("boundary")
    if t.caution.size and t.caution[j]:
        flags.append("caution")
    if t.suppressed.size and t.suppressed[i, j]:
        flags.append("suppressed")
    return tuple(flags)
