"""Corner cases against R (corner_cases.R): logit calibration, one-PSU domains, equal and zero weights,
lonely PSUs averaged, the names of svychisq's statistics, and the documented differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis import (
    CalibrationError,
    Design,
    DisclosureRules,
    calibrate,
    design_effect,
    disclose,
    mean,
    proportion_ci,
    proportions,
    rake,
    rao_scott,
    shares_table,
    total,
)

from .rdata import ABS, REL, api, corner, numeric

R = corner()


def pair(est: object) -> list[float]:
    return [est.value, est.se]  # type: ignore[attr-defined]


def triple(est: object) -> list[float]:
    return [est.value, est.ci_low, est.ci_high]  # type: ignore[attr-defined]


# -- 1. calibrate(method=...) -------------------------------------------------------------------------------

STYPE = {"E": 4421.0, "H": 755.0, "M": 1018.0}


def _margins(strat: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, dict[str, float]]]:
    pop = R["logit"]["population"]
    population = pop["(Intercept)"]
    totals = {
        "stype": STYPE,
        "sch.wide": {"No": population - pop["sch.wideYes"], "Yes": pop["sch.wideYes"]},
        "comp.imp": {"No": population - pop["comp.impYes"], "Yes": pop["comp.impYes"]},
    }
    return {v: strat[v] for v in totals}, totals


@pytest.mark.parametrize("bounds", ["bounds_0.5_2", "bounds_0.6_1.6"])
def test_logit_calibration_matches_r_calfun_logit(dstrat: Design, bounds: str) -> None:
    strat = api("apistrat")
    expected = R["logit"][bounds]
    variables, totals = _margins(strat)
    lo, hi = expected["bounds"]
    cal = calibrate(dstrat, variables, totals, method="logit", bounds=(lo, hi))
    assert cal.weights == pytest.approx(expected["weights"], rel=1e-9)
    g = cal.weights / dstrat.weights
    assert [g.min(), g.max()] == pytest.approx(expected["g_range"], rel=1e-9)
    assert lo < g.min() and g.max() < hi
    assert pair(mean(cal, numeric(strat["api00"]))) == pytest.approx(expected["mean_api00"], rel=REL)
    assert pair(total(cal, numeric(strat["enroll"]))) == pytest.approx(expected["total_enroll"], rel=REL)
    awards = proportion_ci(cal, strat["awards"] == "Yes")
    assert triple(awards) == pytest.approx(expected["ciprop_awards"], abs=ABS)
    # the linear (GREG) weights are clearly different: logit is not linear calibration in disguise
    assert np.max(np.abs(cal.weights / np.asarray(R["logit"]["linear_weights"]) - 1)) > 0.05


def test_logit_calibration_needs_finite_bounds_around_one(dstrat: Design) -> None:
    variables, totals = _margins(api("apistrat"))
    with pytest.raises(CalibrationError, match="finite bounds"):
        calibrate(dstrat, variables, totals, method="logit")
    with pytest.raises(CalibrationError, match="lower bound below 1 and an upper bound above 1"):
        calibrate(dstrat, variables, totals, method="logit", bounds=(1.0, 2.0))


def test_unknown_calibration_methods_are_refused(dstrat: Design) -> None:
    variables, totals = _margins(api("apistrat"))
    with pytest.raises(CalibrationError, match=r"'rakign' is unknown; use linear, raking or logit"):
        calibrate(dstrat, variables, totals, method="rakign")  # type: ignore[arg-type]


# -- 2. no degrees of freedom: no interval, nothing published ---------------------------------------------


def test_a_domain_inside_one_psu_has_no_interval(dclus1: Design) -> None:
    clus = api("apiclus1")
    expected = R["one_psu"]
    domain = numeric(clus["dnum"]) == 61
    share = proportions(dclus1, clus["sch.wide"], domain)["No"]
    assert share.value == pytest.approx(expected["mean_sch_wide"][0], rel=REL)
    assert share.df == expected["degf"] == 0
    assert "no_df" in share.flags
    assert math.isnan(share.ci_low) and math.isnan(share.ci_high)
    assert all(math.isnan(x) for x in expected["confint_sch_wide_no"])
    for method, key in (("logit", "ciprop_logit"), ("beta", "ciprop_beta")):
        est = proportion_ci(dclus1, clus["sch.wide"] == "No", domain, method=method)
        assert math.isnan(est.ci_low) and math.isnan(est.ci_high), method
        assert all(math.isnan(x) for x in expected[key][-2:])
    api00 = mean(dclus1, numeric(clus["api00"]), domain)
    assert api00.value == pytest.approx(expected["mean_api00"][0], rel=REL)
    assert math.isnan(api00.ci_low) and all(math.isnan(x) for x in expected["confint_api00"])


# rules that withhold nothing for size, so that only the missing degrees of freedom can withhold
NO_SIZE_RULES = DisclosureRules(min_base=0, caution_base=0, min_count=0, min_count_sensitive=0, protect_zeros=False)


def test_disclosure_withholds_every_share_without_degrees_of_freedom(dclus1: Design) -> None:
    clus = api("apiclus1")
    # a design where each district is a PSU: district 61 has 13 schools, one PSU, df 0
    table = shares_table(dclus1, {"sch.wide": clus["sch.wide"]}, {"dnum": clus["dnum"]})["sch.wide"]
    published = disclose(table, rules=NO_SIZE_RULES)
    j = table.domain_index("dnum", "61")
    assert table.df[j] == 0
    assert published.suppressed[:, j].all()
    assert np.isnan(published.value[:, j]).all()
    assert "suppressed" in published.estimate("No", "dnum", "61").flags
    # the whole sample (df 14) stays published
    assert not published.suppressed[:, published.domain_index()].any()


# -- 3. design effect with equal weights -------------------------------------------------------------------


def test_design_effect_with_weights_equal_to_one_is_infinite_or_undefined() -> None:
    clus, srs = api("apiclus1"), api("apisrs")
    expected = R["deff_equal"]
    eq_clus = Design(weights=np.ones(clus["dnum"].size), clusters=clus["dnum"])
    eq_srs = Design(weights=np.ones(srs["snum"].size))
    assert design_effect(eq_clus, numeric(clus["api00"])) == expected["clus1_api00"] == math.inf
    assert design_effect(eq_srs, numeric(srs["api00"])) == expected["srs_api00"] == math.inf
    assert math.isnan(design_effect(eq_srs, np.ones(srs["snum"].size))) and math.isnan(expected["srs_constant"])
    half = Design(weights=np.full(srs["snum"].size, 0.5))
    assert math.isnan(design_effect(half, numeric(srs["api00"]))) and math.isnan(expected["srs_half_weights"])


# -- 4. zero weights ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dzero() -> Design:
    strat = api("apistrat")
    w = numeric(strat["pw"])
    w[np.asarray(R["zero_weights"]["rows_zero"]) - 1] = 0.0
    return Design(weights=w, strata=strat["stype"], fpc=numeric(strat["fpc"]))


def test_zero_weight_rows_count_in_the_rao_scott_df_as_in_r(dzero: Design) -> None:
    strat = api("apistrat")
    expected = R["zero_weights"]
    assert dzero.degf == expected["degf"]
    assert pair(mean(dzero, numeric(strat["api00"]))) == pytest.approx(expected["mean_api00"], rel=REL)
    f = rao_scott(dzero, strat["sch.wide"], strat["stype"], statistic="F")
    assert [f.statistic, f.df_num, f.df_den, f.p_value] == pytest.approx(expected["chisq"]["F"], rel=REL)
    chisq = rao_scott(dzero, strat["sch.wide"], strat["stype"], statistic="Chisq")
    assert [chisq.statistic, chisq.df_num, chisq.p_value] == pytest.approx(expected["chisq"]["Chisq"], rel=REL)


def test_zero_weight_rows_count_in_korn_graubard_as_nrow(dzero: Design) -> None:
    yes = api("apistrat")["sch.wide"] == "Yes"
    expected = R["zero_weights"]
    assert triple(proportion_ci(dzero, yes, method="beta")) == pytest.approx(expected["ciprop_beta"], abs=ABS)
    assert triple(proportion_ci(dzero, yes)) == pytest.approx(expected["ciprop_logit"], abs=ABS)


# -- 5. lonely PSUs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["average", "adjust", "remove", "certainty"])
def test_lonely_psus_are_treated_as_r_survey_lonely_psu(how: str) -> None:
    clus = api("apiclus1")
    design = Design(weights=numeric(clus["pw"]), strata=clus["dnum"], lonely_psu=how)  # type: ignore[arg-type]
    expected = R["lonely"][how]
    assert design.degf == expected["degf"]
    assert pair(mean(design, numeric(clus["api00"]))) == pytest.approx(expected["mean_api00"], rel=REL)
    assert pair(total(design, numeric(clus["enroll"]))) == pytest.approx(expected["total_enroll"], rel=REL)
    shares = proportions(design, clus["sch.wide"])
    assert [shares["No"].value, shares["Yes"].value] == pytest.approx(expected["mean_sch_wide"][:2], rel=REL)
    assert [shares["No"].se, shares["Yes"].se] == pytest.approx(expected["mean_sch_wide"][2:], rel=REL)


def test_a_lonely_second_stage_unit_averaged_leaves_the_variance_undefined_as_in_r() -> None:
    clus2 = api("apiclus2")
    expected = R["lonely"]["average_second_stage"]
    keep = np.ones(clus2["dnum"].size, bool)
    keep[np.asarray(expected["dropped_rows"]) - 1] = False
    design = Design(
        clusters=[clus2["dnum"][keep], clus2["snum"][keep]],
        fpc=[numeric(clus2["fpc1"])[keep], numeric(clus2["fpc2"])[keep]],
        lonely_psu="average",
    )
    est = mean(design, numeric(clus2["api00"])[keep])
    assert est.value == pytest.approx(expected["mean_api00"][0], rel=REL)
    assert math.isnan(est.se) and math.isnan(expected["mean_api00"][1])


# -- 6. svychisq statistics ------------------------------------------------------------------------------------


def test_chisq_statistic_is_the_unadjusted_pearson_x2_as_r_prints_it(dstrat: Design, dclus1: Design) -> None:
    for name, design in (("dstrat", dstrat), ("dclus1", dclus1)):
        d = api("apistrat" if name == "dstrat" else "apiclus1")
        expected = R["chisq_names"][name]["Chisq"]
        chisq = rao_scott(design, d["sch.wide"], d["stype"], statistic="Chisq")
        assert [chisq.statistic, chisq.df_num, chisq.p_value] == pytest.approx(expected, rel=REL)
        assert chisq.pearson == chisq.statistic
        # the p-value is that of the first-order corrected statistic X²/mean(δ)
        assert chisq.adjusted == pytest.approx(chisq.pearson / chisq.delta_mean, rel=1e-12)
        assert chisq.p_value == pytest.approx(stats.chi2.sf(chisq.adjusted, chisq.df_num), rel=1e-12)
        assert chisq.adjusted != pytest.approx(chisq.statistic, rel=0.01)
        f = rao_scott(design, d["sch.wide"], d["stype"], statistic="F")
        assert f.statistic == pytest.approx(R["chisq_names"][name]["F"][0], rel=REL)
        assert f.statistic == pytest.approx(f.pearson / (f.delta_mean * (chisq.df_num)), rel=1e-12)


# -- 7. documented differences ---------------------------------------------------------------------------------


def test_documented_differences_from_r(dclus1: Design, dclus2: Design) -> None:
    clus1, clus2 = api("apiclus1"), api("apiclus2")
    diff = R["differences"]
    # an empty domain: R's svymean gives 0 with SE 0, this package NaN and the flag "empty"
    empty = mean(dclus1, numeric(clus1["api00"]), numeric(clus1["dnum"]) == 999)
    assert diff["empty_domain_mean_api00"] == [0, 0]
    assert math.isnan(empty.value) and "empty" in empty.flags
    # a share of exactly 0: R's interval is NaN, this package's Clopper-Pearson on the unweighted base (13)
    share = proportion_ci(dclus1, clus1["stype"] == "H", numeric(clus1["dnum"]) == 61)
    assert math.isnan(diff["boundary_share_logit"][1])
    assert share.value == 0 and share.ci_low == 0 and share.ci_high == pytest.approx(1 - 0.025 ** (1 / 13), rel=1e-9)
    # R's rake() SE differs from calibrate(calfun = "raking"), which this package matches, by 20 % or more
    raked = rake(
        dclus2,
        {"stype": clus2["stype"], "sch.wide": clus2["sch.wide"]},
        {"stype": STYPE, "sch.wide": {"No": 1072.0, "Yes": 5122.0}},
    )
    for var in ("api00", "ell"):
        exact = diff["dclus2_calibrate_raking"][f"mean_{var}"]
        assert pair(mean(raked, numeric(clus2[var]))) == pytest.approx(exact, rel=REL)
        approx = diff["dclus2_rake"][f"mean_{var}"]
        assert approx[1] / exact[1] > 1.2
