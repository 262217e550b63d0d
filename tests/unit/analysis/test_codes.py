"""Coding answers: missing values, excluded codes, fixed category orders."""

from __future__ import annotations

import numpy as np

from analysis.codes import MISSING, UNKNOWN, combine, factorize


def test_numeric_answers_get_sorted_integer_levels_and_nan_is_missing() -> None:
    codes, levels = factorize(np.array([3.0, 1.0, np.nan, 3.0, 2.0]))
    assert levels == (1, 2, 3)
    assert codes.tolist() == [2, 0, MISSING, 2, 1]


def test_excluded_codes_leave_the_item_like_na() -> None:
    codes, levels = factorize(np.array([1.0, 9.0, 2.0]), exclude=(9,))
    assert levels == (1, 2)
    assert codes.tolist() == [0, MISSING, 1]


def test_string_answers_with_none_are_coded_in_sorted_order() -> None:
    codes, levels = factorize(np.array(["no", None, "yes", "no_answer"], dtype=object), exclude=("no_answer",))
    assert levels == ("no", "yes")
    assert codes.tolist() == [0, MISSING, 1, MISSING]


def test_fixed_levels_keep_their_order_and_mark_unknown_values() -> None:
    codes, levels = factorize(np.array(["b", "a", "z"], dtype=object), levels=("b", "a"))
    assert levels == ("b", "a")
    assert codes.tolist() == [0, 1, UNKNOWN]
    numeric, _ = factorize(np.array([2.0, 7.0, np.nan]), levels=(2, 1))
    assert numeric.tolist() == [0, UNKNOWN, MISSING]


def test_non_integer_numbers_fall_back_to_sorting() -> None:
    codes, levels = factorize(np.array([0.5, 0.25, 0.5]))
    assert levels == (0.25, 0.5)
    assert codes.tolist() == [1, 0, 1]


def test_combined_codes_are_compact_and_distinguish_every_pair() -> None:
    a = np.array([0, 0, 1, 1, 0])
    b = np.array([0, 2, 0, 2, 0])
    joint, size = combine([a, b], [2, 3])
    assert size == 4
    assert joint[0] == joint[4]
    assert len(set(joint.tolist())) == 4
    assert joint.max() == 3
