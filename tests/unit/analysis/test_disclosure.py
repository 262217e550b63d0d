"""Disclosure control: base and count thresholds, and that withheld cells cannot be recovered."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import Design, DisclosureRules, disclose, protect_counts, shares_table


def constraint_rows(suppressed: np.ndarray, total: bool) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Additivity constraints of the published table restricted to the withheld cells."""
    rows_, cols_ = suppressed.shape
    unknown = [(int(i), int(j)) for i, j in np.argwhere(suppressed)]
    lines = [[(i, j) for i in range(rows_)] for j in range(cols_)]
    if total:
        lines += [[(i, j) for j in range(cols_)] for i in range(rows_)]
    a = np.zeros((len(lines), len(unknown)))
    for r, line in enumerate(lines):
        for pos, cell in enumerate(line):
            if cell in unknown:
                a[r, unknown.index(cell)] = -1.0 if pos == len(line) - 1 else 1.0
    return a, unknown


def recoverable(suppressed: np.ndarray, total: bool) -> list[tuple[int, int]]:
    """Withheld cells whose unit vector lies in the row space of the constraints (exactly solvable)."""
    a, unknown = constraint_rows(suppressed, total)
    rank = np.linalg.matrix_rank(a)
    out = []
    for j, cell in enumerate(unknown):
        unit = np.zeros(len(unknown))
        unit[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(cell)
    return out


def test_bases_below_30_get_no_estimate_and_30_to_49_a_caution_flag() -> None:
    counts = np.array([[6, 20, 100], [6, 15, 100]])  # bases 12, 35, 200
    prot = protect_counts(counts)
    assert prot.no_estimate.tolist() == [True, False, False, False]
    assert prot.caution.tolist() == [False, True, False, False]
    assert prot.primary[:2, 0].all()


def test_small_counts_are_withheld_with_a_stricter_threshold_for_sensitive_items() -> None:
    counts = np.array([[4, 40], [60, 8], [36, 52]])
    plain = protect_counts(counts)
    assert plain.primary[0, 0] and not plain.primary[1, 1]
    sensitive = protect_counts(counts, sensitive=True)
    assert sensitive.primary[0, 0] and sensitive.primary[1, 1]
    rules = DisclosureRules(min_count=3, protect_zeros=False)
    assert not protect_counts(np.array([[0, 40], [50, 40]]), rules=rules).primary[0, 0]


def test_a_single_small_cell_is_protected_by_complementary_suppression() -> None:
    counts = np.array([[3, 40, 50], [60, 45, 40], [50, 55, 70]])
    prot = protect_counts(counts)
    assert prot.primary.sum() == 1
    assert prot.suppressed.sum() >= 4
    assert recoverable(prot.suppressed, total=True) == []


def test_a_suppressed_small_group_cannot_be_derived_from_the_total_and_the_other_groups() -> None:
    counts = np.array([[7, 40, 50, 33], [5, 45, 40, 35]])  # first group: base 12
    prot = protect_counts(counts)
    assert prot.no_estimate[0]
    assert prot.suppressed[:2, 1:4].any()
    assert recoverable(prot.suppressed, total=True) == []


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda k: st.integers(2, 5).flatmap(
            lambda d: st.lists(st.lists(st.integers(0, 60), min_size=d, max_size=d), min_size=k, max_size=k)
        )
    ),
    st.booleans(),
    st.booleans(),
)
def test_no_withheld_cell_is_recoverable_and_no_line_has_a_single_gap(
    counts: list[list[int]], total: bool, sensitive: bool
) -> None:
    prot = protect_counts(np.array(counts), total=total, sensitive=sensitive)
    assert (prot.suppressed | ~prot.primary).all()
    assert recoverable(prot.suppressed, total) == []
    lines = [prot.suppressed[:, j] for j in range(prot.suppressed.shape[1])]
    if total:
        lines += [prot.suppressed[i, :] for i in range(prot.suppressed.shape[0])]
    assert all(line.sum() != 1 for line in lines)


def test_disclose_withholds_a_small_area_in_a_share_table() -> None:
    rng = np.random.default_rng(3)
    n = 900
    area = rng.choice(np.array(["north", "south", "east"], dtype=object), n)
    area[:12] = "island"
    item = rng.integers(1, 5, n).astype(float)
    table = shares_table(Design(weights=np.ones(n)), {"Q": item}, {"area": area})["Q"]
    public = disclose(table)
    island = public.domain_index("area", "island")
    assert np.isnan(public.value[:, island]).all()
    assert "suppressed" in public.estimate(1.0, "area", "island").flags
    others = [public.domain_index("area", a) for a in ("north", "south", "east")]
    assert public.suppressed[:, others].any(axis=1).all()
    overall = public.domain_index()
    assert not np.isnan(public.value[:, overall]).any()
    grid = np.vstack([public.suppressed, public.base_suppressed])
    columns = [public.domain_index("area", a) for a in ("island", "north", "south", "east")] + [overall]
    assert recoverable(grid[:, columns], total=True) == []


def test_disclose_flags_caution_for_bases_30_to_49() -> None:
    rng = np.random.default_rng(4)
    n = 600
    group = np.where(np.arange(n) < 40, "small", "large")
    item = rng.integers(1, 3, n).astype(float)
    item[:20] = 1.0
    item[20:40] = 2.0
    table = disclose(shares_table(Design(weights=np.ones(n)), {"Q": item}, {"g": group})["Q"])
    est = table.estimate(1.0, "g", "small")
    assert "caution" in est.flags
    assert "suppressed" not in est.flags
    assert est.value == pytest.approx(0.5)
