"""Disclosure control of published tables (good-relations defaults, configurable).

A share table of one item by one grouping is an additive table of unweighted counts: categories ×
domains, with the domain bases as a margin row and the whole-sample column as a margin column.
Rules: no estimate on a base below ``min_base`` and a caution flag below ``caution_base``; no count
below ``min_count`` (``min_count_sensitive`` for sensitive items); complementary suppression until
no suppressed cell can be recovered exactly from the published cells and margins — checked by
linear algebra on the table's additivity constraints, not only by counting cells per line.

Not covered (say so where tables are published): differencing between tables of different
groupings or items, and interval (bounds) disclosure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import linalg

from .codes import BoolArray, IntArray
from .results import ShareTable


@dataclass(frozen=True)
class DisclosureRules:
    """Thresholds, by default those of the good-relations brief (unweighted counts)."""

    min_base: int = 30
    caution_base: int = 50
    min_count: int = 5
    min_count_sensitive: int = 10
    protect_zeros: bool = True


@dataclass(frozen=True)
class Protection:
    """Suppression of a (categories + base row) × (domains + total column) count table.

    ``suppressed`` and ``primary`` have shape (K+1, D+1) — the last row is the domain bases, the last
    column the whole sample (absent when the total is not published); ``no_estimate`` and
    ``caution`` are per column.
    """

    suppressed: BoolArray
    primary: BoolArray
    no_estimate: BoolArray
    caution: BoolArray


def protect_counts(
    counts: npt.ArrayLike,
    *,
    total: bool = True,
    sensitive: bool = False,
    rules: DisclosureRules | None = None,
    presuppressed: npt.ArrayLike | None = None,
    keep: npt.ArrayLike | None = None,
) -> Protection:
    """Primary and complementary suppression of a categories × domains table of unweighted counts.

    ``total`` says whether the whole-sample column (row sums) is published next to the domains.
    ``presuppressed`` (same shape as the result) marks cells already withheld elsewhere; ``keep`` (same
    shape) marks cells to withhold as complements only when no other cell of their line can be.
    """
    rules = rules or DisclosureRules()
    x = np.asarray(counts, dtype=np.int64)
    k, d = x.shape
    grid = np.zeros((k + 1, d + 1), np.int64)
    grid[:k, :d] = x
    grid[k, :d] = x.sum(axis=0)
    grid[:k, d] = x.sum(axis=1)
    grid[k, d] = x.sum()
    if not total:
        grid = grid[:, :d]
    cols = grid.shape[1]
    bases = grid[k]
    threshold = rules.min_count_sensitive if sensitive else rules.min_count
    small = grid[:k] < threshold
    if not rules.protect_zeros:
        small &= grid[:k] > 0
    primary = np.zeros_like(grid, dtype=bool)
    primary[:k] = small
    primary[k] = (bases > 0) & (bases < rules.min_count)
    no_estimate = bases < rules.min_base
    primary[:k, no_estimate] = True
    caution = ~no_estimate & (bases < rules.caution_base)
    suppressed = primary.copy()
    if presuppressed is not None:
        suppressed |= np.asarray(presuppressed, dtype=bool)
    lines = [[(i, j) for i in range(k + 1)] for j in range(cols)]
    if total:
        lines += [[(i, j) for j in range(d + 1)] for i in range(k + 1)]
    margins = {(k, j) for j in range(cols)} | ({(i, d) for i in range(k + 1)} if total else set())
    kept = np.zeros_like(suppressed) if keep is None else np.asarray(keep, dtype=bool)
    _complete(grid, suppressed, lines, margins, kept)
    return Protection(suppressed, primary, no_estimate, caution)


def protect_shared(
    tables: Sequence[npt.ArrayLike], *, rules: DisclosureRules | None = None, keep_columns: Sequence[int] = ()
) -> list[BoolArray]:
    """Suppression masks, (rows + total row) × (columns + total column), of count tables that share their
    column totals (e.g. responses by day, by language and by mode): a total withheld in one table is
    withheld in all of them. Cells of ``keep_columns`` are withheld as complements only when no other
    cell of their line can be (a closed wave's complete responses rather than its partial ones)."""
    arrays = [np.asarray(x, dtype=np.int64) for x in tables]
    width = arrays[0].shape[1] + 1
    shared = np.zeros(width, dtype=bool)
    while True:
        masks = []
        for x in arrays:
            withheld = np.zeros((x.shape[0] + 1, width), dtype=bool)
            withheld[-1] = shared
            if x.shape[0]:  # a table without rows has only the totals, withheld or not as elsewhere
                keep = np.zeros_like(withheld)
                keep[:, list(keep_columns)] = True
                withheld = protect_counts(x, total=True, rules=rules, presuppressed=withheld, keep=keep).suppressed
            masks.append(withheld)
        union = np.logical_or.reduce([m[-1] for m in masks])
        if (union == shared).all():
            return masks
        shared = union


def shown(value: int, withheld: bool, rules: DisclosureRules | None = None) -> int | str:
    """What is published of one count: "<5" below the minimum (zero included), "hidden" when withheld so
    that no small count can be worked out, else the count."""
    rules = rules or DisclosureRules()
    if value < rules.min_count:
        return f"<{rules.min_count}"
    return "hidden" if withheld else int(value)


Cell = tuple[int, int]


def _complete(
    grid: IntArray, suppressed: BoolArray, lines: list[list[Cell]], margins: set[Cell], kept: BoolArray
) -> None:
    """Add complementary suppressions until no suppressed cell is determined by the constraints."""
    while True:
        lonely = next((ln for ln in lines if sum(suppressed[c] for c in ln) == 1), None)
        if lonely is not None:
            _suppress_one_more(grid, suppressed, lonely, lines, margins, kept)
            continue
        determined = _determined_cells(suppressed, lines)
        if not determined:
            return
        candidates = [ln for ln in lines if determined[0] in ln and any(not suppressed[c] for c in ln)]
        if not candidates:
            return
        fewest = min(candidates, key=lambda ln: sum(suppressed[c] for c in ln))
        _suppress_one_more(grid, suppressed, fewest, lines, margins, kept)


def _suppress_one_more(
    grid: IntArray,
    suppressed: BoolArray,
    line: list[Cell],
    lines: list[list[Cell]],
    margins: set[Cell],
    kept: BoolArray,
) -> None:
    """Withhold one more published cell of a line: one not marked to keep, an inner cell rather than a
    margin, preferably one whose crossing line already has a gap (closing a cycle instead of opening a
    new line), then the smallest count."""

    def opens_new_gap(cell: Cell) -> int:
        return sum(1 for ln in lines if cell in ln and ln is not line and not any(suppressed[c] for c in ln))

    open_cells = [c for c in line if not suppressed[c]]
    best = min(open_cells, key=lambda c: (bool(kept[c]), c in margins, opens_new_gap(c), grid[c], c))
    suppressed[best] = True


def _determined_cells(suppressed: BoolArray, lines: list[list[Cell]]) -> list[Cell]:
    """Suppressed cells whose value follows from the published cells and the additivity constraints:
    those on which every null-space vector of the constraint matrix vanishes."""
    unknown: list[Cell] = [(int(i), int(j)) for i, j in np.argwhere(suppressed)]
    if not unknown:
        return []
    index = {c: j for j, c in enumerate(unknown)}
    # a line "margin = sum of inner cells": +1 for inner cells, −1 for the margin cell (the line's last)
    rows = []
    for line in lines:
        row = np.zeros(len(unknown))
        for pos, c in enumerate(line):
            if c in index:
                row[index[c]] = -1.0 if pos == len(line) - 1 else 1.0
        if np.any(row):
            rows.append(row)
    if not rows:
        return []
    null = linalg.null_space(np.array(rows))
    free = np.linalg.norm(null, axis=1) > 1e-9 if null.size else np.zeros(len(unknown), bool)
    return [c for c, f in zip(unknown, free, strict=True) if not f]


def disclose(table: ShareTable, *, sensitive: bool = False, rules: DisclosureRules | None = None) -> ShareTable:
    """Apply the disclosure rules to a :class:`ShareTable`: every grouping is protected as an additive
    table with the whole-sample column as its total (repeated until the shared total column is stable);
    withheld shares become NaN and carry the ``suppressed`` flag, bases 30–49 the ``caution`` flag.
    Shares of a domain without design degrees of freedom (flag ``no_df``) are withheld as well."""
    rules = rules or DisclosureRules()
    groups = [g for g, _ in table.domains if g is not None]
    order = list(dict.fromkeys(groups))
    overall = table.domain_index()
    k, d = table.count.shape
    cells = np.zeros((k + 1, d), bool)
    caution = np.zeros(d, bool)
    if not order:
        prot = protect_counts(table.count[:, [overall]], total=False, sensitive=sensitive, rules=rules)
        cells[:, [overall]] = prot.suppressed
        caution[[overall]] = prot.caution
    changed = True
    while changed and order:
        changed = False
        for g in order:
            idx = [j for j, (grp, _) in enumerate(table.domains) if grp == g] + [overall]
            prot = protect_counts(
                table.count[:, idx[:-1]],
                total=True,
                sensitive=sensitive,
                rules=rules,
                presuppressed=cells[:, idx],
            )
            caution[idx] |= prot.caution
            if np.any(prot.suppressed & ~cells[:, idx]):
                cells[:, idx] |= prot.suppressed
                changed = True
    # a domain without degrees of freedom (one PSU) has no interval: its shares are withheld too, for
    # statistical rather than disclosure reasons, so they need no complementary suppression
    hide = cells[:k] | ((table.n > 0) & (table.df <= 0))[None, :]
    nan = np.where(hide, np.nan, 1.0)
    return dataclasses.replace(
        table,
        value=table.value * nan,
        se=table.se * nan,
        ci_low=table.ci_low * nan,
        ci_high=table.ci_high * nan,
        suppressed=hide,
        caution=caution,
        base_suppressed=cells[k],
    )
