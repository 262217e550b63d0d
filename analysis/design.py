"""The survey design (R ``svydesign`` + calibration information) and its one linearisation variance kernel.

Every estimator in this package expresses its influence values and hands them to
:meth:`Design.variance`; no estimator has a variance formula of its own.

Influence values are passed in *cell form*: rows are grouped into cells chosen by the caller
(for shares: answer category × domain), and the influence of row i is ``w_i * E[cell_i]``. The kernel
refines the cells by the design's *atoms* — the finest combination of stratum, sampling unit and
calibration cell that its formulas need — so that a million respondents reduce to a few thousand
weighted sums (``np.bincount``). With ``cell=None`` every row is its own cell and ``E`` holds one row
of influence values per respondent; both forms run through the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt

from .codes import BoolArray, FloatArray, IntArray, combine, factorize, group_sum, is_missing
from .errors import DesignError

LonelyPSU = Literal["fail", "certainty", "remove", "adjust", "average"]

# cell × atom tables up to this many bins are tabulated densely with np.bincount
_DENSE_BINS = 1 << 22


@dataclass(frozen=True)
class _Stage:
    """One sampling stage: groups (strata, or the parent unit) and the units sampled in them."""

    group: IntArray  # (n,) group of each row
    unit: IntArray  # (n,) sampling unit of each row, nested in its group
    n_groups: int
    n_units: int
    unit_group: IntArray  # (n_units,) group of each unit
    scale: FloatArray  # (n_groups,) f·m/(m−1) times the sampling fractions of the stages above
    center: FloatArray  # (n_groups,) 1/m, or 0 for a lonely unit under lonely_psu="adjust"
    fraction: FloatArray  # (n_groups,) sampling fraction m/M (1 without fpc)
    element: bool  # every unit is a single row


@dataclass(frozen=True)
class CalibrationStep:
    """What R's ``calibrate()``/``postStratify()`` stores for the variance: the calibration variables
    ``x`` (per calibration cell when ``cell`` is given, else per row) and the weights before and after."""

    cell: IntArray | None
    x: FloatArray
    w_before: FloatArray
    w_after: FloatArray


@dataclass(frozen=True)
class CellTable:
    """Weighted sums of the rows of each (cell, atom) pair: the only data the kernel reads."""

    src: IntArray  # (m,) caller's cell of each refined cell
    atom: IntArray  # (m,) design atom of each refined cell
    sw: FloatArray  # Σ w
    sw2: FloatArray  # Σ w²
    sreg: tuple[FloatArray, ...]  # per calibration step: Σ w_before · w / w_after
    nz: FloatArray  # number of rows with non-zero weight
    n_cells: int


class Design:
    """A survey design like R ``svydesign(ids, strata, weights, fpc, nest=TRUE)``.

    * ``weights``: sampling weights (default: the inverse of the sampling fractions from ``fpc``, or 1).
    * ``strata``: first-stage strata labels (default: one stratum).
    * ``clusters``: first-stage cluster (PSU) labels, or a sequence of labels per stage; default: each
      respondent is its own PSU (R ``ids = ~1``). Clusters are nested in strata (R ``nest = TRUE``).
    * ``fpc``: finite population correction per stage as population sizes (> 1) or sampling
      fractions (≤ 1), constant within strata/units. With fpc at every stage of a multi-stage design the
      variance includes the later stages, as R ``svyrecvar``; otherwise it is the ultimate-cluster
      (with-replacement) variance.
    * ``lonely_psu``: a stratum with one PSU: ``"fail"`` (R default), ``"certainty"``/``"remove"``
      (contributes nothing), ``"adjust"`` (centred at zero), ``"average"`` (contributes nothing and the
      variance is scaled by strata/(strata − lonely strata); a lonely unit at a later stage makes the
      variance NaN, as in R), as R ``options(survey.lonely.psu)``.

    Degrees of freedom follow R ``degf()``: PSUs minus strata among rows with non-zero weight.
    """

    def __init__(
        self,
        weights: npt.ArrayLike | None = None,
        strata: npt.ArrayLike | None = None,
        clusters: npt.ArrayLike | Sequence[npt.ArrayLike] | None = None,
        fpc: npt.ArrayLike | Sequence[npt.ArrayLike] | None = None,
        *,
        lonely_psu: LonelyPSU = "fail",
    ) -> None:
        n = _length(weights, strata, clusters, fpc)
        stage_labels = _per_stage(clusters, "clusters")
        fpc_values = _per_stage(fpc, "fpc")
        stage_list: list[np.ndarray | None] = list(stage_labels) or [None]
        if fpc_values and len(fpc_values) != len(stage_list):
            raise DesignError(f"fpc is given for {len(fpc_values)} stage(s) but the design has {len(stage_list)}")
        if lonely_psu not in ("fail", "certainty", "remove", "adjust", "average"):
            raise DesignError(f"lonely_psu must be fail, certainty, remove, adjust or average, not {lonely_psu!r}")
        strata_codes = _codes(strata, n, "strata") if strata is not None else np.zeros(n, np.int64)
        stages = _build_stages(strata_codes, stage_list, fpc_values, n, lonely_psu)
        if weights is None:
            prob = np.ones(n)
            for st in stages:
                prob = prob * st.fraction[st.group]
            w = 1.0 / prob
        else:
            w = np.asarray(weights, dtype=float).copy()
            if w.shape != (n,):
                raise DesignError(f"weights must have length {n}")
            if not np.all(np.isfinite(w)):
                raise DesignError("weights contain NaN or infinite values")
            if np.any(w < 0):
                raise DesignError("design weights must not be negative")
        self._init(w, stages, (), lonely_psu, has_fpc=bool(fpc_values))

    def _init(
        self,
        weights: FloatArray,
        stages: tuple[_Stage, ...],
        calibration: tuple[CalibrationStep, ...],
        lonely_psu: LonelyPSU,
        *,
        has_fpc: bool,
    ) -> None:
        weights.flags.writeable = False
        self._w = weights
        self._all_stages = stages
        # without fpc R uses the ultimate-cluster (first-stage) variance only
        self._stages = stages if has_fpc else stages[:1]
        self._has_fpc = has_fpc
        self._calibration = calibration
        self._lonely_psu = lonely_psu

    def _replace(self, weights: FloatArray, calibration: tuple[CalibrationStep, ...]) -> Design:
        new = object.__new__(Design)
        new._init(weights, self._all_stages, calibration, self._lonely_psu, has_fpc=self._has_fpc)
        return new

    # -- public read-only view -------------------------------------------------------------------------

    @property
    def weights(self) -> FloatArray:
        """Current weights (after any calibration or trimming); read-only."""
        return self._w

    @property
    def n(self) -> int:
        """Number of rows (respondents) in the design."""
        return int(self._w.size)

    @property
    def is_calibrated(self) -> bool:
        """True when the weights come from calibration or post-stratification."""
        return bool(self._calibration)

    @property
    def calibration(self) -> tuple[CalibrationStep, ...]:
        """Calibration steps in the order applied (what R keeps in ``design$postStrata``)."""
        return self._calibration

    @property
    def degf(self) -> int:
        """Design degrees of freedom, R ``degf()``: PSUs minus strata with non-zero weight."""
        return int(self.domain_df(self._row_table, (self._w != 0)[:, None])[0])

    @property
    def degf_all_rows(self) -> int:
        """PSUs minus strata over all rows, those of zero weight included: the ν of R ``svychisq``
        (``length(unique(cluster)) − length(unique(strata))``), which unlike ``degf()`` counts them."""
        first = self._stages[0]
        return first.n_units - first.n_groups

    # -- atoms: the cells every variance computation is refined by ------------------------------------

    @cached_property
    def _atom_index(self) -> tuple[IntArray, int, IntArray]:
        n = self.n
        if any(step.cell is None for step in self._calibration):
            rows = np.arange(n, dtype=np.int64)
            return rows, n, rows
        parts: list[IntArray] = []
        sizes: list[int] = []
        for st in self._stages:
            parts.append(st.group)
            sizes.append(st.n_groups)
            if not st.element:
                parts.append(st.unit)
                sizes.append(st.n_units)
        for k, step in enumerate(self._calibration):
            assert step.cell is not None
            parts.append(step.cell)
            sizes.append(step.x.shape[0])
            rho = self._rho(k)
            if not np.all(rho == 1.0):
                codes, levels = factorize(rho)
                parts.append(codes)
                sizes.append(len(levels))
        atom, n_atoms = combine(parts, sizes)
        first = np.full(n_atoms, n, np.int64)
        np.minimum.at(first, atom, np.arange(n, dtype=np.int64))
        return atom, n_atoms, first

    def _rho(self, k: int) -> FloatArray:
        """w / w_after of calibration step k (1 unless the weights changed after that step)."""
        after = self._calibration[k].w_after
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where(after != 0, self._w / np.where(after != 0, after, 1.0), 1.0)
        return rho

    @cached_property
    def _step_data(self) -> tuple[tuple[FloatArray, FloatArray, FloatArray, FloatArray], ...]:
        """Per calibration step: x per atom, rho per atom, pinv(X'W₀X), and w_before·rho per row."""
        _, _, first = self._atom_index
        out = []
        for k, step in enumerate(self._calibration):
            rho = self._rho(k)
            if step.cell is None:
                x_atom = step.x[first]
                xtwx = (step.x * step.w_before[:, None]).T @ step.x
            else:
                x_atom = step.x[step.cell[first]]
                cell_w = np.bincount(step.cell, step.w_before, minlength=step.x.shape[0])
                xtwx = (step.x * cell_w[:, None]).T @ step.x
            out.append((x_atom, rho[first], np.linalg.pinv(xtwx), step.w_before * rho))
        return tuple(out)

    @cached_property
    def _stage_atoms(self) -> tuple[tuple[IntArray, IntArray], ...]:
        _, _, first = self._atom_index
        return tuple((st.group[first], st.unit[first]) for st in self._stages)

    @cached_property
    def _row_table(self) -> CellTable:
        atom, _, _ = self._atom_index
        w = self._w
        sreg = tuple(d[3] for d in self._step_data)
        return CellTable(np.arange(self.n, dtype=np.int64), atom, w, w * w, sreg, (w != 0).astype(float), self.n)

    # -- the kernel -------------------------------------------------------------------------------------

    def tabulate(self, cell: IntArray | None = None, n_cells: int = 0) -> CellTable:
        """Sum the weights of each (cell, atom) pair; ``cell=None`` keeps one cell per row."""
        if cell is None:
            return self._row_table
        atom, n_atoms, _ = self._atom_index
        bins = n_cells * n_atoms
        if bins > max(_DENSE_BINS, 4 * self.n):
            base = self._row_table
            return CellTable(cell, base.atom, base.sw, base.sw2, base.sreg, base.nz, n_cells)
        key = cell * n_atoms + atom
        counts = np.bincount(key, minlength=bins)
        keep = np.flatnonzero(counts)
        w = self._w

        def summed(values: FloatArray) -> FloatArray:
            return np.bincount(key, values, minlength=bins)[keep]

        sreg = tuple(summed(d[3]) for d in self._step_data)
        nz = counts[keep].astype(float) if np.all(w != 0) else summed((w != 0).astype(float))
        return CellTable(keep // n_atoms, keep % n_atoms, summed(w), summed(w * w), sreg, nz, n_cells)

    def variance(self, tab: CellTable, influence: npt.ArrayLike, *, cov: bool = False) -> FloatArray:
        """Linearisation variance of estimators whose influence values are ``w_i · E[cell_i, :]``.

        The formula of R ``svyrecvar``: first the calibration residuals of each step, as R's
        ``qr.resid(qr(X·√w₀), z/(g·√w₀))·g·√w₀`` — the design-weighted regression of the influence
        values on the calibration variables —, then per stage Σ_h f_h m_h/(m_h−1) Σ_u (T_u − T̄_h)²
        over the unit totals T_u, with later stages scaled by the sampling fractions above them.
        Returns the variances (k,) or, with ``cov=True``, the (k × k) covariance matrix.
        """
        e = np.asarray(influence, dtype=float)
        if e.ndim == 1:
            e = e[:, None]
        if e.shape[0] != tab.n_cells:
            raise ValueError(f"influence has {e.shape[0]} rows for {tab.n_cells} cells")
        er = e[tab.src]
        for k, (x_atom, rho_atom, xtwx_inv, _) in enumerate(self._step_data):
            xr = x_atom[tab.atom]
            b = xtwx_inv @ (xr.T @ (tab.sreg[k][:, None] * er))
            er = er - (xr @ b) / rho_atom[tab.atom][:, None]
        k_out = er.shape[1]
        v = np.zeros((k_out, k_out)) if cov else np.zeros(k_out)
        for st, (group_atom, unit_atom) in zip(self._stages, self._stage_atoms, strict=True):
            if st.element:
                grp = group_atom[tab.atom]
                b_rows = er * np.sqrt(st.scale[grp] * tab.sw2)[:, None]
                sums = group_sum(grp, er * tab.sw[:, None], st.n_groups)
            else:
                totals = group_sum(unit_atom[tab.atom], er * tab.sw[:, None], st.n_units)
                b_rows = totals * np.sqrt(st.scale[st.unit_group])[:, None]
                sums = group_sum(st.unit_group, totals, st.n_groups)
            d_rows = sums * np.sqrt(st.scale * st.center)[:, None]
            if cov:
                v = v + b_rows.T @ b_rows - d_rows.T @ d_rows
            else:
                v = v + np.einsum("ij,ij->j", b_rows, b_rows) - np.einsum("ij,ij->j", d_rows, d_rows)
        return v

    def domain_df(self, tab: CellTable, member: BoolArray) -> FloatArray:
        """R ``degf(subset(design, domain))`` for each column of ``member`` (cells × domains):
        PSUs minus strata among the domain's rows with non-zero weight."""
        present = (tab.nz > 0)[:, None] & member[tab.src]
        st = self._stages[0]
        group_atom, unit_atom = self._stage_atoms[0]
        pf = present.astype(float)
        n_strata = (group_sum(group_atom[tab.atom], pf, st.n_groups) > 0).sum(axis=0)
        if st.element:
            n_psu = (pf * tab.nz[:, None]).sum(axis=0)
        else:
            n_psu = (group_sum(unit_atom[tab.atom], pf, st.n_units) > 0).sum(axis=0)
        return np.asarray(n_psu - n_strata, dtype=float)

    def domain_n(self, tab: CellTable, member: BoolArray) -> IntArray:
        """Unweighted base of each domain column: rows with non-zero weight."""
        return np.rint(tab.nz @ member[tab.src].astype(float)).astype(np.int64)

    # -- stacking independent samples -------------------------------------------------------------------

    @staticmethod
    def stack(designs: Sequence[Design]) -> Design:
        """Stack independent samples (survey waves) into one design: strata, PSUs and calibration stay
        separate per sample, so the variance of a pooled estimator is the sum over samples
        (as R ``svydesign(..., strata = ~wave:stratum, nest = TRUE)`` on the stacked data)."""
        if not designs:
            raise DesignError("nothing to stack")
        depth = {len(d._stages) for d in designs}
        if len(depth) != 1:
            raise DesignError("stacked samples must have the same number of variance stages")
        n_stages = depth.pop()
        stages = tuple(_stack_stages([d._all_stages[:n_stages] for d in designs]))
        weights = np.concatenate([d._w for d in designs])
        offsets = np.cumsum([0] + [d.n for d in designs])
        steps: list[CalibrationStep] = []
        for j, d in enumerate(designs):
            lo, hi = offsets[j], offsets[j + 1]
            for step in d._calibration:
                w_before = np.zeros(weights.size)
                w_before[lo:hi] = step.w_before
                w_after = weights.copy()
                w_after[lo:hi] = step.w_after
                if step.cell is None:
                    x = np.zeros((weights.size, step.x.shape[1]))
                    x[lo:hi] = step.x
                    cell = None
                else:
                    x = np.vstack([step.x, np.zeros((1, step.x.shape[1]))])
                    cell = np.full(weights.size, step.x.shape[0], np.int64)
                    cell[lo:hi] = step.cell
                steps.append(CalibrationStep(cell, x, w_before, w_after))
        new = object.__new__(Design)
        new._init(weights, stages, tuple(steps), designs[0]._lonely_psu, has_fpc=all(d._has_fpc for d in designs))
        return new


def _length(*arrays: object) -> int:
    for a in arrays:
        if a is None:
            continue
        if isinstance(a, list | tuple) and a and np.ndim(a[0]) == 1:
            return len(a[0])
        return int(np.shape(np.asarray(a))[0])
    raise DesignError("a design needs weights, strata, clusters or fpc to know its size")


def _per_stage(value: object, name: str) -> list[np.ndarray]:
    if value is None:
        return []
    if isinstance(value, list | tuple) and value and np.ndim(value[0]) == 1:
        return [np.asarray(v) for v in value]
    arr = np.asarray(value)
    if arr.ndim == 2:
        return [arr[:, j] for j in range(arr.shape[1])]
    if arr.ndim != 1:
        raise DesignError(f"{name} must be one array per stage")
    return [arr]


def _codes(labels: npt.ArrayLike, n: int, name: str) -> IntArray:
    arr = np.asarray(labels)
    if arr.shape != (n,):
        raise DesignError(f"{name} must have length {n}")
    if np.any(is_missing(arr)):
        raise DesignError(f"{name} has missing values")
    codes, _ = factorize(arr)
    return codes


def _build_stages(
    strata: IntArray, labels: list[np.ndarray | None], fpcs: list[np.ndarray], n: int, lonely: LonelyPSU
) -> tuple[_Stage, ...]:
    stages: list[_Stage] = []
    group = strata
    n_groups = int(strata.max()) + 1 if n else 0
    mult = np.ones(n_groups)
    for s, lab in enumerate(labels):
        if lab is None:
            unit, n_units = np.arange(n, dtype=np.int64), n
        else:
            unit, n_units = combine([group, _codes(lab, n, f"clusters (stage {s + 1})")], [n_groups, n])
        first = np.full(n_units, n, np.int64)
        np.minimum.at(first, unit, np.arange(n, dtype=np.int64))
        unit_group = group[first]
        m = np.bincount(unit_group, minlength=n_groups).astype(float)
        if fpcs:
            popsize = _stage_popsize(np.asarray(fpcs[s], dtype=float), group, n_groups, m, s)
            fraction = m / popsize
            f = 1.0 - fraction
        else:
            fraction = np.ones(n_groups)
            f = np.ones(n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(m > 1, f * m / (m - 1), f) * mult
            center = np.where(m > 0, 1.0 / m, 0.0)
        # later stages enter the variance only with fpc, so only then can their lonely units matter
        lonely_groups = (m == 1) & (f >= 1e-7) & (s == 0 or bool(fpcs))
        if np.any(lonely_groups):
            where = "stratum" if s == 0 else f"stage-{s} unit"
            if lonely == "fail":
                raise DesignError(
                    f"{where} number {int(np.argmax(lonely_groups)) + 1} has only one sampled unit at stage "
                    f"{s + 1}; pass lonely_psu='certainty', 'remove', 'adjust' or 'average'"
                )
            if lonely == "adjust":
                center = np.where(lonely_groups, 0.0, center)
            elif lonely == "average" and s == 0:
                # R onestage(): lonely strata give NA and the sum over the others is scaled by nstrat/nokstrat
                ok = n_groups - int(np.count_nonzero(lonely_groups))
                scale = np.where(lonely_groups, 0.0, scale) * (n_groups / ok if ok else np.nan)
            elif lonely == "average":
                # within a unit of a later stage there is only one group: R's 0 · 1/0 makes the variance NaN
                scale = np.where(lonely_groups, np.nan, scale)
            else:
                scale = np.where(lonely_groups, 0.0, scale)
        stages.append(_Stage(group, unit, n_groups, n_units, unit_group, scale, center, fraction, element=n_units == n))
        # the next stage's groups are this stage's units, scaled by this stage's sampling fraction
        mult = (mult * fraction)[unit_group]
        group, n_groups = unit, n_units
    return tuple(stages)


def _stage_popsize(fpc: FloatArray, group: IntArray, n_groups: int, m: FloatArray, s: int) -> FloatArray:
    """Population size per group from R-style fpc: sizes (> 1) or sampling fractions (all ≤ 1)."""
    if np.any(~np.isfinite(fpc)) or np.any(fpc <= 0):
        raise DesignError(f"fpc (stage {s + 1}) must be positive and finite")
    lo = np.full(n_groups, np.inf)
    hi = np.full(n_groups, -np.inf)
    np.minimum.at(lo, group, fpc)
    np.maximum.at(hi, group, fpc)
    if np.any(lo != hi):
        raise DesignError(f"fpc (stage {s + 1}) varies within a stratum or sampling unit")
    popsize = m / lo if np.all(fpc <= 1) else lo
    if np.any(popsize < m - 1e-9):
        raise DesignError(f"fpc (stage {s + 1}) is smaller than the number of sampled units")
    return popsize


def _stack_stages(per_design: list[tuple[_Stage, ...]]) -> list[_Stage]:
    out = []
    for s in range(len(per_design[0])):
        parts = [stages[s] for stages in per_design]
        g_off = np.cumsum([0] + [p.n_groups for p in parts])
        u_off = np.cumsum([0] + [p.n_units for p in parts])
        out.append(
            _Stage(
                group=np.concatenate([p.group + g_off[j] for j, p in enumerate(parts)]),
                unit=np.concatenate([p.unit + u_off[j] for j, p in enumerate(parts)]),
                n_groups=int(g_off[-1]),
                n_units=int(u_off[-1]),
                unit_group=np.concatenate([p.unit_group + g_off[j] for j, p in enumerate(parts)]),
                scale=np.concatenate([p.scale for p in parts]),
                center=np.concatenate([p.center for p in parts]),
                fraction=np.concatenate([p.fraction for p in parts]),
                element=all(p.element for p in parts),
            )
        )
    return out
