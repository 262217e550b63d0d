"""Design-based estimates on R's api designs: stratified, one- and two-stage cluster samples."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import Design, DesignError, by, design_effect, mean, proportions, ratio, total

from .rdata import REL, api, assert_stated, local, numeric, published

PUB = published()["survey"]
STRAT = PUB["dstrat = svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)"]
CLUS1 = PUB["dclus1 = svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)"]
CLUS2 = PUB["dclus2 = svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)"]


def pair(est: object) -> list[float]:
    return [est.value, est.se]  # type: ignore[attr-defined]


def test_stratified_mean_total_and_degf_match_r(dstrat: Design) -> None:
    d = api("apistrat")
    assert pair(mean(dstrat, numeric(d["api00"]))) == pytest.approx(STRAT["svymean(~api00)"], rel=REL)
    assert pair(total(dstrat, numeric(d["enroll"]))) == pytest.approx(STRAT["svytotal(~enroll)"], rel=REL)
    assert dstrat.degf == STRAT["degf"]


def test_stratified_domain_means_match_svyby(dstrat: Design) -> None:
    d = api("apistrat")
    res = by(dstrat, mean, numeric(d["api00"]), d["sch.wide"])
    for level in ("No", "Yes"):
        assert pair(res[level]) == pytest.approx(STRAT["svyby(~api00, ~sch.wide, svymean)"][level], rel=REL)


def test_one_stage_cluster_with_and_without_fpc(dclus1: Design) -> None:
    d = api("apiclus1")
    api00 = numeric(d["api00"])
    assert pair(mean(dclus1, api00)) == pytest.approx(CLUS1["svymean(~api00)"], rel=REL)
    assert pair(total(dclus1, numeric(d["enroll"]))) == pytest.approx(CLUS1["svytotal(~enroll)"], rel=REL)
    assert dclus1.degf == CLUS1["degf"]
    no_fpc = Design(weights=numeric(d["pw"]), clusters=d["dnum"])
    assert pair(mean(no_fpc, api00)) == pytest.approx(local()["dclus1"]["mean_api00_nofpc"], rel=REL)
    assert_stated(pair(mean(no_fpc, api00)), CLUS1["svymean(~api00) without fpc"])


def test_design_effect_matches_svymean_deff(dclus1: Design) -> None:
    d = api("apiclus1")
    assert design_effect(dclus1, numeric(d["api00"])) == pytest.approx(local()["dclus1"]["deff_api00"], rel=REL)


def test_cluster_sample_category_shares_match_svymean_of_a_factor(dclus1: Design) -> None:
    res = proportions(dclus1, api("apiclus1")["stype"])
    for level, (value, se) in CLUS1["svymean(~stype)"].items():
        assert_stated(pair(res[level]), [value, se])
        assert pair(res[level]) == pytest.approx(local()["dclus1"]["mean_stype"][level], rel=REL)


def test_ratio_and_domain_means_in_a_cluster_sample(dclus1: Design) -> None:
    d = api("apiclus1")
    est = ratio(dclus1, numeric(d["api.stu"]), numeric(d["enroll"]))
    assert pair(est) == pytest.approx(CLUS1["svyratio(~api.stu, ~enroll)"], rel=REL)
    res = by(dclus1, mean, numeric(d["api99"]), d["stype"])
    for level, expected in CLUS1["svyby(~api99, ~stype, svymean)"].items():
        assert pair(res[level]) == pytest.approx(expected, rel=REL)


def test_two_stage_cluster_sample_with_fpc_at_both_stages(dclus2: Design) -> None:
    d = api("apiclus2")
    assert_stated(pair(mean(dclus2, numeric(d["api00"]))), CLUS2["svymean(~api00)"])
    assert_stated(pair(total(dclus2, numeric(d["enroll"]))), CLUS2["svytotal(~enroll, na.rm=TRUE)"])
    assert pair(total(dclus2, numeric(d["enroll"]))) == pytest.approx(local()["dclus2"]["total_enroll"], rel=REL)
    assert pair(mean(dclus2, numeric(d["api00"]))) == pytest.approx(local()["dclus2"]["mean_api00"], rel=REL)
    assert dclus2.degf == local()["dclus2"]["degf"]


def test_weights_default_to_inverse_sampling_fractions(dclus2: Design) -> None:
    d = api("apiclus2")
    districts, district = np.unique(d["dnum"].astype(int), return_inverse=True)
    schools_sampled = np.bincount(district)[district]
    expected = numeric(d["fpc1"]) / districts.size * numeric(d["fpc2"]) / schools_sampled
    assert dclus2.weights == pytest.approx(expected, rel=1e-12)


def test_a_stratum_with_one_psu_fails_unless_told_how_to_treat_it() -> None:
    strata = np.array(["a", "a", "b"])
    with pytest.raises(DesignError, match="only one sampled unit"):
        Design(weights=np.ones(3), strata=strata)
    lonely = Design(weights=np.ones(3), strata=strata, lonely_psu="certainty")
    est = mean(lonely, np.array([1.0, 3.0, 10.0]))
    assert np.isfinite(est.se)


def test_malformed_designs_raise_design_errors() -> None:
    with pytest.raises(DesignError, match="negative"):
        Design(weights=np.array([1.0, -1.0]))
    with pytest.raises(DesignError, match="missing"):
        Design(weights=np.ones(2), strata=np.array(["a", None], dtype=object))
    with pytest.raises(DesignError, match="varies"):
        Design(weights=np.ones(4), strata=np.array([1, 1, 2, 2]), fpc=np.array([10, 11, 10, 10]))
    with pytest.raises(DesignError, match="smaller"):
        Design(weights=np.ones(3), fpc=np.array([2.0, 2.0, 2.0]))


def test_later_stages_without_fpc_do_not_need_two_units() -> None:
    psu = np.array([1, 1, 2, 2, 3])
    ssu = np.array([1, 2, 3, 4, 5])  # PSU 3 has a single element
    two_stage = Design(weights=np.ones(5), clusters=[psu, ssu])
    one_stage = Design(weights=np.ones(5), clusters=psu)
    y = np.array([1.0, 2.0, 4.0, 3.0, 8.0])
    assert mean(two_stage, y).se == pytest.approx(mean(one_stage, y).se, rel=1e-12)
