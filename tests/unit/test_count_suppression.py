"""Count tables: small counts are hidden, and no hidden count can be worked out from the published ones."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from analysis.suppression import suppress, with_margins


def feasible_range(table: np.ndarray, hidden: np.ndarray, cell: tuple[int, ...]) -> tuple[float, float]:
    """Independent check: the smallest and largest value of ``cell`` consistent with what is published.

    Written out cell by cell (not with the module's helpers): every line of the table sums to its total.
    """
    cells = [c for c in itertools.product(*map(range, table.shape)) if hidden[c]]
    index = {c: i for i, c in enumerate(cells)}
    a_eq, b_eq = [], []
    for axis, size in enumerate(table.shape):
        others = [range(n) for i, n in enumerate(table.shape) if i != axis]
        for fixed in itertools.product(*others):
            line = [(*fixed[:axis], k, *fixed[axis:]) for k in range(size)]
            row, rhs = np.zeros(len(cells)), 0.0
            for k, c in enumerate(line):
                sign = -1.0 if k == size - 1 else 1.0
                if hidden[c]:
                    row[index[c]] += sign
                else:
                    rhs -= sign * table[c]
            if row.any():
                a_eq.append(row)
                b_eq.append(rhs)
    objective = np.zeros(len(cells))
    objective[index[cell]] = 1.0
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return low.fun, (np.inf if high.status == 3 else -high.fun)


def assert_protected(table: np.ndarray, hidden: np.ndarray, threshold: int) -> None:
    shown = table[~hidden]
    assert not ((shown > 0) & (shown < threshold)).any(), "a small count is published"
    for cell in zip(*np.nonzero(hidden), strict=True):
        low, high = feasible_range(table, hidden, cell)
        assert np.floor(high + 1e-6) - np.ceil(low - 1e-6) >= 1, f"cell {cell} = {table[cell]} is in [{low}, {high}]"


def test_margins_are_appended_along_every_axis() -> None:
    table = with_margins([[1, 2], [3, 4]])
    assert table.tolist() == [[1, 2, 3], [3, 4, 7], [4, 6, 10]]


def test_a_single_small_count_gets_a_partner_in_its_row_and_column() -> None:
    table = with_margins([[3, 10, 8], [12, 6, 20], [0, 9, 15]])
    hidden = suppress(table, 5)
    assert hidden[0, 0]
    assert hidden[0].sum() >= 2 and hidden[:, 0].sum() >= 2
    assert_protected(table, hidden, 5)


def test_nothing_is_hidden_when_every_count_is_zero_or_large() -> None:
    table = with_margins([[0, 10], [7, 0]])
    assert not suppress(table, 5).any()


def test_zeros_are_published() -> None:
    table = with_margins([[2, 0, 9], [0, 0, 7], [6, 0, 30]])
    hidden = suppress(table, 5)
    assert not hidden[:, 1].any()


def test_a_small_count_alone_with_zeros_hides_its_total() -> None:
    table = with_margins([[0, 3], [7, 9]])  # first row: 0 + 3 = 3, so the row total must go too
    hidden = suppress(table, 5)
    assert hidden[0, 1] and hidden[0, 2]
    assert_protected(table, hidden, 5)


def test_threshold_can_be_higher_for_sensitive_cells() -> None:
    table = with_margins([[7, 7], [7, 7]])
    threshold = np.array([[5, 10, 5], [5, 10, 5], [5, 10, 5]])  # the second column is sensitive
    hidden = suppress(table, threshold)
    assert hidden[0, 1] and hidden[1, 1]
    assert_protected(table, hidden, 5)


def test_hidden_counts_stay_hidden_where_line_by_line_cover_is_not_enough() -> None:
    # Found by search: after every line has two hidden cells, the count at (0, 1, 2) still follows from
    # the published cells of several lines together (it can only be 3). The audit catches that.
    counts = [[[6, 5, 4], [1, 2, 3], [3, 1, 0]], [[2, 8, 3], [0, 4, 2], [0, 1, 1]]]
    table = with_margins(counts)
    assert_protected(table, suppress(table, 5), 5)


@settings(max_examples=40, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(2, 4), st.integers(2, 4)), elements=st.integers(0, 12)))
def test_no_hidden_count_of_a_two_way_table_can_be_recovered(counts: np.ndarray) -> None:
    table = with_margins(counts)
    assert_protected(table, suppress(table, 5), 5)


@settings(max_examples=20, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(2, 3), st.integers(2, 3), st.integers(2, 4)), elements=st.integers(0, 9)))
def test_no_hidden_count_of_a_three_way_table_can_be_recovered(counts: np.ndarray) -> None:
    table = with_margins(counts)
    assert_protected(table, suppress(table, 5), 5)
