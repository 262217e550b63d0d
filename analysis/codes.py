"""Turning answer and background arrays into integer codes, and summing values by code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

# dtype-agnostic aliases: numpy's dtype inference (bincount, where) is too coarse to be worth fighting
FloatArray = npt.NDArray[Any]
IntArray = npt.NDArray[Any]
BoolArray = npt.NDArray[Any]

MISSING = -1
UNKNOWN = -2

# a numeric item whose values are small integers is coded without sorting (fast path for large data)
_MAX_DENSE_RANGE = 1 << 16


def is_missing(values: npt.ArrayLike) -> BoolArray:
    """Missing answers: NaN, None (object arrays) and masked-out values; like R's ``is.na``."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return np.isnan(arr)
    if arr.dtype.kind == "O":
        return np.fromiter((v is None or (isinstance(v, float) and v != v) for v in arr), bool, arr.size)
    return np.zeros(arr.shape, bool)


def factorize(
    values: npt.ArrayLike,
    levels: Sequence[Any] | None = None,
    exclude: Iterable[Any] = (),
) -> tuple[IntArray, tuple[Any, ...]]:
    """Integer codes of ``values`` like R ``factor()``: sorted levels, ``-1`` for missing or excluded.

    With ``levels`` the codes follow that order and a value outside it gets ``-2`` (UNKNOWN), so that
    the caller can name it in an error. ``exclude`` lists non-substantive codes (e.g. 9 = don't know)
    treated as missing, as R's ``na.rm=TRUE`` after recoding them to NA.
    """
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError("factorize expects a one-dimensional array")
    excluded = list(exclude)
    missing = is_missing(arr)
    if excluded:
        missing = missing | np.isin(arr, np.asarray(excluded, dtype=arr.dtype if arr.dtype.kind != "O" else object))
    if levels is not None:
        return _codes_for_levels(arr, missing, tuple(levels)), tuple(levels)
    dense = _dense_codes(arr, missing)
    if dense is not None:
        return dense
    present = arr[~missing]
    if present.dtype.kind == "O":
        uniq = sorted(set(present.tolist()), key=_sort_key)
        lookup = {v: i for i, v in enumerate(uniq)}
        codes = np.full(arr.size, MISSING, np.int64)
        codes[~missing] = np.fromiter((lookup[v] for v in present), np.int64, present.size)
        return codes, tuple(uniq)
    uniq_arr, inverse = np.unique(present, return_inverse=True)
    codes = np.full(arr.size, MISSING, np.int64)
    codes[~missing] = inverse
    return codes, tuple(uniq_arr.tolist())


def _sort_key(v: Any) -> tuple[int, Any]:
    return (0, v) if isinstance(v, int | float | np.number) else (1, str(v))


def _dense_codes(arr: np.ndarray, missing: BoolArray) -> tuple[IntArray, tuple[Any, ...]] | None:
    if arr.dtype.kind not in "iuf" or arr.size == 0:
        return None
    present = arr[~missing]
    if present.size == 0:
        return np.full(arr.size, MISSING, np.int64), ()
    lo, hi = present.min(), present.max()
    if hi - lo >= _MAX_DENSE_RANGE:
        return None
    shifted = present - lo
    as_int = shifted.astype(np.int64)
    if arr.dtype.kind == "f" and not np.array_equal(as_int, shifted):
        return None
    seen = np.flatnonzero(np.bincount(as_int, minlength=int(hi - lo) + 1))
    remap = np.full(int(hi - lo) + 1, MISSING, np.int64)
    remap[seen] = np.arange(seen.size)
    codes = np.full(arr.size, MISSING, np.int64)
    codes[~missing] = remap[as_int]
    # integral floats (answer codes read with NaN for missing) get integer levels: 1, not 1.0
    levels = tuple(int(v) for v in seen + int(lo)) if arr.dtype.kind == "f" else tuple((seen + lo).tolist())
    return codes, levels


def _codes_for_levels(arr: np.ndarray, missing: BoolArray, levels: tuple[Any, ...]) -> IntArray:
    codes = np.full(arr.size, UNKNOWN, np.int64)
    codes[missing] = MISSING
    if arr.dtype.kind == "O" or any(isinstance(v, str) for v in levels):
        lookup = {v: i for i, v in enumerate(levels)}
        idx = np.flatnonzero(~missing)
        codes[idx] = np.fromiter((lookup.get(v, UNKNOWN) for v in arr[idx].tolist()), np.int64, idx.size)
        return codes
    lev = np.asarray(levels)
    order = np.argsort(lev, kind="stable")
    pos = np.searchsorted(lev[order], arr[~missing])
    pos = np.minimum(pos, lev.size - 1)
    hit = lev[order][pos] == arr[~missing]
    codes[~missing] = np.where(hit, order[pos], UNKNOWN)
    return codes


def combine(codes: Sequence[IntArray], sizes: Sequence[int]) -> tuple[IntArray, int]:
    """Joint code of several non-negative code arrays (mixed radix), compacted to the observed cells."""
    joint = np.zeros(codes[0].size if codes else 0, np.int64)
    radix = 1
    for c, k in zip(codes, sizes, strict=True):
        if radix * max(k, 1) >= 1 << 62:
            joint, radix = _compact(joint)
        joint = joint * max(k, 1) + c
        radix *= max(k, 1)
    return _compact(joint)


def _compact(joint: IntArray) -> tuple[IntArray, int]:
    if joint.size and joint.max() < 4 * joint.size + 1024:
        used = np.flatnonzero(np.bincount(joint))
        remap = np.empty(int(joint.max()) + 1, np.int64)
        remap[used] = np.arange(used.size)
        return remap[joint], int(used.size)
    uniq, inverse = np.unique(joint, return_inverse=True)
    return inverse.astype(np.int64), int(uniq.size)


def group_sum(index: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    """Column sums of ``values`` within groups (R ``rowsum``); ``values`` is (m,) or (m, k)."""
    if values.ndim == 1:
        return np.bincount(index, values, minlength=n_groups)
    if values.shape[1] <= 4:
        return np.column_stack([np.bincount(index, values[:, j], minlength=n_groups) for j in range(values.shape[1])])
    m = index.size
    op = sparse.csr_matrix((np.ones(m), (index, np.arange(m))), shape=(n_groups, m))
    return np.asarray(op @ values)
