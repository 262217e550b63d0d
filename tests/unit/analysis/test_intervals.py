"""Confidence intervals for proportions: every svyciprop method we offer, against R."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import Design, proportion_ci
from analysis.intervals import clopper_pearson, proportion_interval, t_quantile

from .rdata import ABS, REL, api, local, numeric, published

PUB = published()["survey"]
STRAT = PUB["dstrat = svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)"]
CLUS1 = PUB["dclus1 = svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)"]
METHODS = ("logit", "asin", "beta", "mean", "xlogit")


@pytest.mark.parametrize("method", METHODS)
def test_cluster_sample_intervals_match_svyciprop(dclus1: Design, method: str) -> None:
    y = (numeric(api("apiclus1")["ell"]) == 0).astype(float)
    est = proportion_ci(dclus1, y, method=method)
    value, lo, hi = local()["dclus1"]["ciprop"][method]
    assert est.value == pytest.approx(value, rel=1e-8)
    assert est.ci_low == pytest.approx(lo, abs=ABS)
    assert est.ci_high == pytest.approx(hi, abs=ABS)
    assert [est.ci_low, est.ci_high] == pytest.approx(CLUS1["svyciprop CIs"][method], abs=ABS)
    assert est.df == 14


def test_wilson_interval_matches_survey_4_5(dclus1: Design) -> None:
    y = (numeric(api("apiclus1")["ell"]) == 0).astype(float)
    est = proportion_ci(dclus1, y, method="wilson")
    assert [est.ci_low, est.ci_high] == pytest.approx(CLUS1["svyciprop CIs"]["wilson"], abs=ABS)
    assert est.value == pytest.approx(CLUS1["svyciprop(~I(ell==0)) est"], rel=REL)


@pytest.mark.parametrize("method", METHODS)
def test_stratified_sample_intervals_match_svyciprop(dstrat: Design, method: str) -> None:
    y = api("apistrat")["sch.wide"] == "Yes"
    est = proportion_ci(dstrat, y, method=method)
    value, lo, hi = local()["dstrat"]["ciprop"][method]
    assert est.value == pytest.approx(value, rel=1e-8)
    assert [est.ci_low, est.ci_high] == pytest.approx([lo, hi], abs=ABS)
    key = "svyciprop(~I(sch.wide=='Yes'))"
    if method in STRAT[key]:
        assert [est.ci_low, est.ci_high] == pytest.approx(STRAT[key][method], abs=ABS)


def test_t_quantile_is_normal_for_infinite_df_and_undefined_without_df() -> None:
    q = t_quantile(np.array([np.inf, 10.0, 0.0]), 0.95)
    assert q[0] == pytest.approx(1.959963984540054)
    assert q[1] == pytest.approx(2.228138851986274)
    assert np.isnan(q[2])


def test_shares_of_zero_and_one_use_clopper_pearson_on_the_base() -> None:
    lo, hi = proportion_interval(np.array([0.0, 1.0]), np.zeros(2), 10.0, 20.0, 20.0, "logit", 0.95)
    # binom.test(0, 20)$conf.int and binom.test(20, 20)$conf.int
    assert lo == pytest.approx([0.0, 0.831566529], abs=1e-9)
    assert hi == pytest.approx([0.168433471, 1.0], abs=1e-9)
    cp_lo, cp_hi = clopper_pearson(np.array([3.0]), np.array([10.0]), 0.95)
    assert [cp_lo[0], cp_hi[0]] == pytest.approx([0.06673951118, 0.65245285006], abs=1e-10)


def test_unknown_interval_method_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown proportion interval method"):
        proportion_interval(0.5, 0.1, 10, 20, 20, "likelihood", 0.95)
