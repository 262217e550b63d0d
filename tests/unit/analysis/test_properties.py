"""Properties that hold for any data: margins reached, shares add up, row order irrelevant, degenerate
inputs give defined, flagged results."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import (
    Design,
    calibrate_linear,
    mean,
    poststratify,
    proportion_ci,
    proportions,
    rake,
    shares_table,
    total,
)

SETTINGS = settings(max_examples=40, deadline=None)


@dataclass
class Sample:
    weights: np.ndarray
    strata: np.ndarray
    clusters: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    item: np.ndarray
    group: np.ndarray


@st.composite
def samples(draw: st.DrawFn) -> Sample:
    n = draw(st.integers(24, 120))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    clusters = np.arange(n) % draw(st.integers(4, 12))
    strata = clusters % 2
    age = np.array(["young", "middle", "old"], dtype=object)[np.arange(n) % 3]
    rng.shuffle(age)
    sex = np.array(["f", "m"], dtype=object)[rng.permutation(np.arange(n) % 2)]
    item = rng.integers(1, 5, n).astype(float)
    item[rng.random(n) < 0.1] = np.nan
    item[rng.random(n) < 0.05] = 9.0
    group = np.array(["a", "b", "c"], dtype=object)[rng.integers(0, 3, n)]
    return Sample(rng.uniform(0.5, 5.0, n), strata, clusters, age, sex, item, group)


def margins_for(s: Sample, seed: int) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(seed)
    population = 1000.0 * s.weights.size
    out = {}
    for name, values in (("age", s.age), ("sex", s.sex)):
        levels = sorted(set(values.tolist()))
        shares = rng.dirichlet(np.full(len(levels), 5.0))
        out[name] = {lev: population * float(p) for lev, p in zip(levels, shares, strict=True)}
    return out


@SETTINGS
@given(samples(), st.integers(0, 1000))
def test_raked_and_linear_calibrated_weights_reproduce_the_margins(s: Sample, seed: int) -> None:
    design = Design(weights=s.weights, strata=s.strata, clusters=s.clusters)
    margins = margins_for(s, seed)
    variables = {"age": s.age, "sex": s.sex}
    for calibrated in (rake(design, variables, margins), calibrate_linear(design, variables, margins)):
        for name, margin in margins.items():
            for category, population in margin.items():
                achieved = calibrated.weights[variables[name] == category].sum()
                assert abs(achieved - population) <= 1e-9 * population
    post = poststratify(design, s.age, margins["age"], name="age")
    for category, population in margins["age"].items():
        assert post.weights[s.age == category].sum() == pytest.approx(population, rel=1e-12)


@SETTINGS
@given(samples(), st.integers(0, 1000))
def test_category_shares_add_up_to_one_in_every_domain(s: Sample, seed: int) -> None:
    design = rake(Design(weights=s.weights, clusters=s.clusters), {"age": s.age}, {"age": margins_for(s, seed)["age"]})
    table = shares_table(design, {"Q": s.item}, {"group": s.group}, exclude=(9,))["Q"]
    sums = np.nansum(table.value, axis=0)
    assert sums[table.n > 0] == pytest.approx(np.ones(int((table.n > 0).sum())), abs=1e-12)
    assert (table.count.sum(axis=0) == table.n).all()
    assert ((table.ci_low <= table.value + 1e-12) | np.isnan(table.ci_low)).all()
    assert ((table.value <= table.ci_high + 1e-12) | np.isnan(table.ci_high)).all()


@SETTINGS
@given(samples(), st.integers(0, 1000), st.integers(0, 2**32 - 1))
def test_estimates_do_not_depend_on_row_order(s: Sample, seed: int, shuffle: int) -> None:
    def estimates(order: np.ndarray) -> list[float]:
        design = Design(weights=s.weights[order], strata=s.strata[order], clusters=s.clusters[order])
        margins = margins_for(s, seed)
        design = rake(design, {"age": s.age[order], "sex": s.sex[order]}, margins)
        table = shares_table(design, {"Q": s.item[order]}, {"group": s.group[order]}, exclude=(9,))["Q"]
        m = mean(design, np.where(s.item == 9, np.nan, s.item)[order], s.group[order] == "a")
        return [*table.value.ravel(), *table.se.ravel(), m.value, m.se, m.df]

    order = np.random.default_rng(shuffle).permutation(s.weights.size)
    first, second = estimates(np.arange(s.weights.size)), estimates(order)
    assert second == pytest.approx(first, rel=1e-9, abs=1e-12, nan_ok=True)


@SETTINGS
@given(samples(), st.integers(0, 1000))
def test_batched_shares_equal_means_of_category_indicators(s: Sample, seed: int) -> None:
    design = rake(
        Design(weights=s.weights, strata=s.strata, clusters=s.clusters),
        {"age": s.age},
        {"age": margins_for(s, seed)["age"]},
    )
    table = shares_table(design, {"Q": s.item}, {"group": s.group}, exclude=(9,))["Q"]
    valid = ~np.isnan(s.item) & (s.item != 9)
    for category in table.categories:
        indicator = np.where(valid, (s.item == category).astype(float), np.nan)
        for level in ("a", "b", "c"):
            if (s.group == level).sum() == 0:
                continue
            one = mean(design, indicator, s.group == level)
            batched = table.estimate(category, "group", level)
            assert [batched.value, batched.se, batched.df] == pytest.approx(
                [one.value, one.se, one.df], rel=1e-9, abs=1e-15
            )


def test_a_constant_item_has_zero_variance_and_boundary_shares() -> None:
    design = Design(weights=np.linspace(1, 3, 40))
    est = mean(design, np.full(40, 4.0))
    assert (est.value, est.se) == (4.0, 0.0)
    assert "zero_variance" in est.flags
    assert (est.ci_low, est.ci_high) == (4.0, 4.0)
    shares = proportions(design, np.full(40, 2.0), categories=(1.0, 2.0))
    assert (shares[2.0].value, shares[2.0].se) == (1.0, 0.0)
    assert {"zero_variance", "boundary"} <= set(shares[2.0].flags)
    # Clopper-Pearson on the base of 40: binom.test(40, 40)$conf.int
    assert (shares[2.0].ci_low, shares[2.0].ci_high) == pytest.approx((0.9119027, 1.0), abs=1e-7)
    assert shares[1.0].value == 0.0
    assert shares[1.0].ci_low == 0.0


def test_a_single_respondent_in_a_domain_gives_a_defined_flagged_result() -> None:
    design = Design(weights=np.ones(30))
    y = np.arange(30, dtype=float)
    only = np.zeros(30, bool)
    only[7] = True
    est = mean(design, y, only)
    assert (est.value, est.se, est.n, est.df) == (7.0, 0.0, 1, 0.0)
    assert {"no_df", "zero_variance"} <= set(est.flags)
    assert np.isnan(est.ci_low) and np.isnan(est.ci_high)
    share = proportion_ci(design, (y > 3).astype(float), only)
    assert share.value == 1.0
    assert "no_df" in share.flags and "boundary" in share.flags
    assert share.ci_low == pytest.approx(0.025) and share.ci_high == 1.0


def test_an_empty_domain_and_an_all_missing_item_are_flagged_empty() -> None:
    design = Design(weights=np.ones(10))
    est = mean(design, np.arange(10.0), np.zeros(10, bool))
    assert est.flags == ("empty",) and np.isnan(est.value) and est.n == 0
    assert "empty" in total(design, np.full(10, np.nan)).flags
    table = shares_table(design, {"Q": np.full(10, np.nan)}, categories={"Q": (1, 2)})["Q"]
    assert np.isnan(table.value).all()
    assert "empty" in table.estimate(1).flags


def test_zero_weights_keep_rows_in_the_design_but_out_of_the_base() -> None:
    weights = np.array([0.0, 1.0, 2.0, 1.0, 3.0])
    est = mean(Design(weights=weights), np.array([100.0, 1.0, 2.0, 3.0, 4.0]))
    assert est.n == 4
    assert est.value == pytest.approx((1 + 4 + 3 + 12) / 7)
