"""Disclosure control of count tables: small counts are suppressed, and so are enough other cells that
no suppressed count can be worked out from the totals published with it.

A table here always carries its margins: along every axis the last index holds the sum of the others
(``with_margins``). Zeros are published: they disclose no one, and hiding them would hide most of a sparse
table.

Method (cf. the hypercube method of tau-ARGUS, Repsilber 1994/2002, in a simple greedy form):

1. primary suppression: every count with ``0 < n < threshold`` (the threshold may differ per cell);
2. secondary suppression: every line of the table (one axis varying, the others fixed, total included)
   that holds exactly one suppressed cell gets a second one — the smallest positive published count in
   that line — until no such line is left;
3. audit: for every suppressed cell, linear programming looks for the smallest and largest values it can
   take given everything published (the additivity of every line, counts ≥ 0). A cell whose range holds a
   single integer could be recovered; the smallest positive published count in one of its lines is then
   suppressed too, and steps 2–3 repeat.

The audit makes the result safe against exact recovery by linear reasoning over the published table;
it does not enforce a protection interval wider than that.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

_EPS = 1e-6


def with_margins(counts: ArrayLike) -> NDArray[np.int64]:
    """``counts`` with a total appended along every axis (the last index of each axis is "all")."""
    table = np.asarray(counts, dtype=np.int64)
    for axis in range(table.ndim):
        table = np.concatenate([table, table.sum(axis=axis, keepdims=True)], axis=axis)
    return table


def suppress(table: ArrayLike, threshold: ArrayLike) -> NDArray[np.bool_]:
    """The cells of ``table`` (with margins, see ``with_margins``) that must not be published.

    ``threshold`` is broadcast against the table: counts below it (and above zero) are sensitive.
    """
    values = np.asarray(table, dtype=np.int64)
    limits = np.broadcast_to(np.asarray(threshold), values.shape)
    mask = (values > 0) & (values < limits)
    while True:
        _protect_lines(values, mask)
        cell = _first_recoverable(values, mask)
        if cell is None:
            return mask
        _suppress_smallest(values, mask, _lines_through(values.shape, cell))


def _lines(shape: tuple[int, ...]) -> list[NDArray[np.intp]]:
    """Every line of a table of ``shape`` as the flat indices of its cells, the total last."""
    flat = np.arange(int(np.prod(shape))).reshape(shape)
    out: list[NDArray[np.intp]] = []
    for axis in range(len(shape)):
        out.extend(np.moveaxis(flat, axis, -1).reshape(-1, shape[axis]))
    return out


def _lines_through(shape: tuple[int, ...], cell: int) -> list[NDArray[np.intp]]:
    return [line for line in _lines(shape) if cell in line]


def _suppress_smallest(values: NDArray[np.int64], mask: NDArray[np.bool_], lines: list[NDArray[np.intp]]) -> None:
    """Suppress the smallest published count in ``lines``, positive ones first."""
    flat_values, flat_mask = values.reshape(-1), mask.reshape(-1)
    candidates = np.unique(np.concatenate(lines))
    candidates = candidates[~flat_mask[candidates]]
    if candidates.size == 0:
        return
    # Positive counts first (a suppressed zero is weak cover), then the smallest, then table order.
    order = np.lexsort((candidates, flat_values[candidates], flat_values[candidates] == 0))
    flat_mask[candidates[order[0]]] = True


def _protect_lines(values: NDArray[np.int64], mask: NDArray[np.bool_]) -> None:
    """Until no line holds exactly one suppressed cell, give each such line a second one."""
    lines = _lines(values.shape)
    flat_mask = mask.reshape(-1)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if np.count_nonzero(flat_mask[line]) == 1:
                _suppress_smallest(values, mask, [line])
                changed = True


def _first_recoverable(values: NDArray[np.int64], mask: NDArray[np.bool_]) -> int | None:
    """The flat index of a suppressed cell whose value follows from the published ones, or None."""
    flat_values, flat_mask = values.reshape(-1), mask.reshape(-1)
    hidden = np.flatnonzero(flat_mask)
    if hidden.size == 0:
        return None
    column = {int(cell): j for j, cell in enumerate(hidden)}
    rows: list[int] = []
    cols: list[int] = []
    coefs: list[int] = []
    rhs: list[int] = []
    for line in _lines(values.shape):
        if not flat_mask[line].any():
            continue
        # interior cells sum to the total: sum(interior) - total = 0, with published values moved right
        known = 0
        for position, cell in enumerate(line):
            sign = -1 if position == len(line) - 1 else 1
            if flat_mask[cell]:
                rows.append(len(rhs))
                cols.append(column[int(cell)])
                coefs.append(sign)
            else:
                known += sign * int(flat_values[cell])
        rhs.append(-known)
    a_eq = coo_matrix((coefs, (rows, cols)), shape=(len(rhs), hidden.size)).tocsr()
    truth = flat_values[hidden].astype(float)
    # A cell is protected once some feasible table puts it at least 1 away from its true value (its range
    # then holds two integers). Each solution shows that for many cells at once, so few LPs are needed.
    unproven = np.ones(hidden.size, dtype=bool)
    while unproven.any():
        j = int(np.flatnonzero(unproven)[0])
        for direction in (-1.0, 1.0):  # maximise x_j, then minimise it
            c = np.zeros(hidden.size)
            c[j] = direction
            result = linprog(c, A_eq=a_eq, b_eq=rhs, bounds=(0, None), method="highs")
            if result.status == 3:  # unbounded above: cannot be recovered
                unproven[j] = False
                break
            if result.status != 0:
                raise RuntimeError(f"disclosure audit failed: {result.message}")
            unproven &= np.abs(result.x - truth) < 1 - _EPS
            if not unproven[j]:
                break
        else:
            return int(hidden[j])
    return None
