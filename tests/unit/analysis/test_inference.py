"""Tests and comparisons against R: svychisq, svyttest, svyglm, stacked waves, p.adjust, Cohen's h."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import (
    Design,
    cohens_h,
    domain_difference,
    p_adjust,
    proportion_ci,
    rao_scott,
    regression,
    t_test,
    trend_test,
    wald_test,
    wave_difference,
)

from .rdata import ABS, REL, api, assert_stated, local, numeric, published

PUB = published()
STRAT = PUB["survey"]["dstrat = svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)"]
CLUS1 = PUB["survey"]["dclus1 = svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)"]
WAVES = PUB["waves_stacked_apisrs_apistrat_apiclus1_no_fpc"]
BASE = PUB["base_R"]


def test_rao_scott_second_and_first_order_on_a_stratified_sample(dstrat: Design) -> None:
    d = api("apistrat")
    f = rao_scott(dstrat, d["sch.wide"], d["stype"], statistic="F")
    expected = local()["dstrat"]["chisq"]
    assert [f.statistic, f.df_num, f.df_den, f.p_value] == pytest.approx(expected["F"], rel=REL)
    assert_stated([f.statistic, f.df_num, f.df_den, f.p_value], STRAT["svychisq(~sch.wide+stype)"]["F"])
    chisq = rao_scott(dstrat, d["sch.wide"], d["stype"], statistic="Chisq")
    assert [chisq.pearson, chisq.df_num, chisq.p_value] == pytest.approx(expected["Chisq"], rel=REL)
    assert_stated([chisq.pearson, chisq.df_num, chisq.p_value], STRAT["svychisq(~sch.wide+stype)"]["Chisq"])


def test_rao_scott_in_a_cluster_sample(dclus1: Design) -> None:
    d = api("apiclus1")
    f = rao_scott(dclus1, d["sch.wide"], d["stype"])
    assert [f.statistic, f.df_num, f.df_den, f.p_value] == pytest.approx(local()["dclus1"]["chisq"]["F"], rel=REL)
    assert_stated([f.statistic, f.df_num, f.df_den, f.p_value], CLUS1["svychisq(~sch.wide+stype)"]["F"])
    chisq = rao_scott(dclus1, d["sch.wide"], d["stype"], statistic="Chisq")
    assert [chisq.pearson, chisq.df_num, chisq.p_value] == pytest.approx(
        CLUS1["svychisq(~sch.wide+stype)"]["Chisq"], rel=REL
    )


def test_domain_difference_is_svyttest(dstrat: Design, dclus1: Design) -> None:
    d = api("apistrat")
    diff = domain_difference(dstrat, numeric(d["api00"]), d["sch.wide"] == "Yes", d["sch.wide"] == "No")
    r = STRAT["svyttest(api00~sch.wide)"]
    assert_stated([diff.statistic, diff.df, diff.p_value, diff.value], [r["t"], r["df"], r["p"], r["diff"]])
    expected = local()["dstrat"]["ttest"]
    assert [diff.statistic, diff.p_value, diff.value] == pytest.approx(
        [expected["t"], expected["p"], expected["estimate"]], rel=REL
    )
    assert [diff.ci_low, diff.ci_high] == pytest.approx(r["ci"], abs=ABS)
    c = api("apiclus1")
    diff = domain_difference(dclus1, numeric(c["enroll"]), c["comp.imp"] == "Yes", c["comp.imp"] == "No")
    r = CLUS1["svyttest(enroll~comp.imp)"]
    assert_stated([diff.statistic, diff.df, diff.p_value, diff.value], [r["t"], r["df"], r["p"], r["diff"]])


def test_one_sample_t_test(dclus1: Design) -> None:
    d = api("apiclus1")
    res = t_test(dclus1, numeric(d["api00"]) - numeric(d["api99"]))
    r = CLUS1["svyttest(I(api00-api99)~0)"]
    assert_stated([res.statistic, res.df, res.value], [r["t"], r["df"], r["mean"]])
    assert [res.ci_low, res.ci_high] == pytest.approx(r["ci"], abs=ABS)


def test_logistic_regression_matches_quasibinomial_svyglm(dstrat: Design) -> None:
    d = api("apistrat")
    x = {name: numeric(d[name]) for name in ("ell", "meals", "mobility")}
    fit = regression(dstrat, (d["sch.wide"] == "Yes").astype(float), x, family="binomial")
    converged = local()["dstrat"]["quasibinomial_converged"]
    assert fit.coef == pytest.approx(converged["coef"], rel=REL)
    assert fit.se == pytest.approx(converged["se"], rel=REL)
    # R's default glm convergence (epsilon = 1e-8) leaves its published SEs accurate to ~1e-5
    r = PUB["survey"]["dstrat quasibinomial svyglm(sch.wide~ell+meals+mobility)"]
    assert fit.coef == pytest.approx(r["coef"], rel=REL)
    assert fit.se == pytest.approx(r["se"], rel=5e-5)
    assert fit.df_residual == r["df.residual"]
    assert fit.names == ("(Intercept)", "ell", "meals", "mobility")


def test_linear_regression_matches_gaussian_svyglm(dclus1: Design) -> None:
    d = api("apiclus1")
    x = {name: numeric(d[name]) for name in ("ell", "meals", "mobility")}
    fit = regression(dclus1, numeric(d["api00"]), x)
    r = CLUS1["svyglm(api00~ell+meals+mobility)"]
    assert fit.coef == pytest.approx(r["coef"], rel=REL)
    assert fit.se == pytest.approx(r["se"], rel=REL)
    assert fit.df_residual == r["df.residual"]


@pytest.fixture(scope="module")
def stacked() -> tuple[Design, np.ndarray, np.ndarray]:
    """apisrs, apistrat and apiclus1 as three independent waves, without fpc (as the published block)."""
    srs, strat, clus = api("apisrs"), api("apistrat"), api("apiclus1")
    designs = [
        Design(weights=numeric(srs["pw"])),
        Design(weights=numeric(strat["pw"]), strata=strat["stype"]),
        Design(weights=numeric(clus["pw"]), clusters=clus["dnum"]),
    ]
    yes = np.concatenate([(t["sch.wide"] == "Yes").astype(float) for t in (srs, strat, clus)])
    wave = np.concatenate([np.full(t["pw"].size, float(j + 1)) for j, t in enumerate((srs, strat, clus))])
    return Design.stack(designs), yes, wave


def test_stacked_waves_give_per_wave_shares_and_their_difference(
    stacked: tuple[Design, np.ndarray, np.ndarray],
) -> None:
    design, yes, wave = stacked
    assert design.degf == WAVES["degf"]
    by_wave = {w: proportion_ci(design, yes, wave == float(w)) for w in (1, 2, 3)}
    for w, est in by_wave.items():
        assert [est.value, est.se] == pytest.approx(
            WAVES["svyby(~yes, ~wave) [yes = sch.wide=='Yes']"][str(w)], rel=REL
        )
    change = wave_difference(by_wave[3], by_wave[1])
    assert_stated([change.value, change.se], WAVES["contrast wave3-wave1"])


def test_trend_over_three_waves_is_the_quasibinomial_slope(
    stacked: tuple[Design, np.ndarray, np.ndarray],
) -> None:
    design, yes, wave = stacked
    trend = trend_test(design, yes, wave)
    assert [trend.value, trend.se, trend.p_value] == pytest.approx(
        WAVES["svyglm(yes~wave, quasibinomial) slope"], rel=REL
    )
    assert trend.df == local()["waves"]["slope_df"]
    dummies = {"wave2": (wave == 2).astype(float), "wave3": (wave == 3).astype(float)}
    fit = regression(design, yes, dummies, family="binomial")
    test = wald_test(fit, [1, 2])
    r = WAVES["regTermTest factor(wave)"]
    assert [test.statistic, test.df_num, test.df_den] == pytest.approx([r["F"], *r["df"]], rel=REL)
    assert test.p_value == pytest.approx(r["p"], rel=1e-7)


def test_rao_scott_on_stacked_waves(stacked: tuple[Design, np.ndarray, np.ndarray]) -> None:
    design, yes, wave = stacked
    f = rao_scott(design, yes, wave)
    assert [f.statistic, f.df_num, f.df_den, f.p_value] == pytest.approx(
        WAVES["svychisq(~sch.wide+wave)"]["F"], rel=1e-7
    )
    chisq = rao_scott(design, yes, wave, statistic="Chisq")
    assert_stated([chisq.pearson, chisq.df_num, chisq.p_value], WAVES["svychisq(~sch.wide+wave)"]["Chisq"])
    expected = local()["waves"]["chisq"]
    assert [chisq.pearson, chisq.df_num, chisq.p_value] == pytest.approx(expected["Chisq"], rel=REL)
    assert [f.statistic, f.df_num, f.df_den, f.p_value] == pytest.approx(expected["F"], rel=REL)


def test_multiplicity_adjustments_match_p_adjust() -> None:
    p = [0.01, 0.02, 0.03, 0.04, 0.05, 0.20]
    expected = BASE["p.adjust(c(.01,.02,.03,.04,.05,.20))"]
    assert p_adjust(p, "holm") == pytest.approx(expected["holm"], rel=1e-12)
    assert p_adjust(p, "BH") == pytest.approx(expected["BH"], rel=1e-12)
    shuffled = p_adjust([0.2, np.nan, 0.01, 0.05], "holm")
    assert np.isnan(shuffled[1])
    assert shuffled[[0, 2, 3]] == pytest.approx([0.2, 0.03, 0.1])


def test_cohens_h() -> None:
    assert cohens_h(0.75, 0.5) == pytest.approx(BASE["Cohen h(.75,.50)"], rel=1e-9)
    assert cohens_h(0.5, 0.4) == pytest.approx(BASE["pwr ES.h(.5,.4) and pwr.p.test(n=60) power"][0], rel=1e-9)


def test_degenerate_comparisons_are_defined() -> None:
    design = Design(weights=np.ones(6))
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    nobody = np.zeros(6, bool)
    assert np.isnan(domain_difference(design, y, y == 1, nobody).value)
    with pytest.raises(ValueError, match="two observed categories"):
        rao_scott(design, np.ones(6), y)
    unchanged = wave_difference(proportion_ci(design, y), proportion_ci(design, y))
    assert unchanged.value == 0.0 and unchanged.p_value == pytest.approx(1.0)
