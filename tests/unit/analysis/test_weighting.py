"""Weighting against R: postStratify, rake/calibrate(raking), GREG with and without bounds, trimming."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import (
    CalibrationError,
    ConvergenceError,
    Design,
    EmptyCellError,
    InconsistentMarginsError,
    MissingCategoryError,
    UnknownCategoryError,
    calibrate,
    calibrate_linear,
    mean,
    poststratify,
    rake,
    total,
    trim_weights,
    weight_summary,
)

from .rdata import REL, api, assert_stated, local, numeric, published

CLUS1 = published()["survey"]["dclus1 = svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)"]
LOCAL = local()["dclus1"]
STYPE = {"E": 4421.0, "H": 755.0, "M": 1018.0}
SCH_WIDE = {"No": 1072.0, "Yes": 5122.0}
API99_TOTAL = 3914069.0


def pair(est: object) -> list[float]:
    return [est.value, est.se]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def clus1() -> dict[str, np.ndarray]:
    return api("apiclus1")


def test_poststratification_matches_r_poststratify(dclus1: Design, clus1: dict[str, np.ndarray]) -> None:
    ps = poststratify(dclus1, clus1["stype"], STYPE, name="stype")
    key = "postStratify(~stype, E=4421,H=755,M=1018) svymean(~api00)"
    assert_stated(pair(mean(ps, numeric(clus1["api00"]))), CLUS1[key])
    assert_stated(pair(total(ps, numeric(clus1["enroll"]))), CLUS1["postStratify svytotal(~enroll)"])
    assert pair(mean(ps, numeric(clus1["api00"]))) == pytest.approx(LOCAL["poststratify"]["mean_api00"], rel=REL)
    assert ps.weights[0] == pytest.approx(LOCAL["poststratify"]["weight_1"], rel=1e-12)


def test_raking_matches_exact_calibration_and_rake(dclus1: Design, clus1: dict[str, np.ndarray]) -> None:
    rk = rake(
        dclus1,
        {"stype": clus1["stype"], "sch.wide": clus1["sch.wide"]},
        {"stype": STYPE, "sch.wide": SCH_WIDE},
    )
    exact = LOCAL["rake_exact"]
    assert pair(mean(rk, numeric(clus1["api00"]))) == pytest.approx(exact["mean_api00"], rel=REL)
    assert pair(total(rk, numeric(clus1["enroll"]))) == pytest.approx(exact["total_enroll"], rel=REL)
    assert rk.weights[0] == pytest.approx(CLUS1["rake first weight (school 1)"], rel=1e-9)
    # R rake() approximates the projection in its SE: about five significant digits
    rake_key = "rake(~stype,~sch.wide; No=1072,Yes=5122) svymean(~api00)"
    assert_stated(pair(mean(rk, numeric(clus1["api00"]))), CLUS1[rake_key])
    assert_stated(pair(total(rk, numeric(clus1["enroll"]))), CLUS1["rake svytotal(~enroll)"])


def test_raked_weights_reproduce_the_margins(dclus1: Design, clus1: dict[str, np.ndarray]) -> None:
    rk = rake(
        dclus1,
        {"stype": clus1["stype"], "sch.wide": clus1["sch.wide"]},
        {"stype": STYPE, "sch.wide": SCH_WIDE},
    )
    for variable, margin in (("stype", STYPE), ("sch.wide", SCH_WIDE)):
        for category, population in margin.items():
            achieved = rk.weights[clus1[variable] == category].sum()
            assert abs(achieved - population) <= 1e-10 * population


def test_linear_calibration_with_a_numeric_variable_matches_greg(dclus1: Design, clus1: dict[str, np.ndarray]) -> None:
    greg = calibrate_linear(
        dclus1,
        {"stype": clus1["stype"], "api99": numeric(clus1["api99"])},
        {"stype": STYPE, "api99": API99_TOTAL},
    )
    key = "calibrate(~stype+api99, c(6194,755,1018,3914069)) linear svymean(~api00)"
    assert_stated(pair(mean(greg, numeric(clus1["api00"]))), CLUS1[key])
    assert pair(mean(greg, numeric(clus1["api00"]))) == pytest.approx(LOCAL["greg"]["mean_api00"], rel=REL)
    summary = weight_summary(greg)
    assert [summary.min, summary.max] == pytest.approx(CLUS1["calibrate linear weight range"], rel=1e-9)
    assert pair(total(greg, numeric(clus1["enroll"]))) == pytest.approx(LOCAL["greg"]["total_enroll"], rel=REL)


def test_bounded_and_raking_calibration_match_r(dclus1: Design, clus1: dict[str, np.ndarray]) -> None:
    variables = {"stype": clus1["stype"], "api99": numeric(clus1["api99"])}
    totals = {"stype": STYPE, "api99": API99_TOTAL}
    bounded = calibrate_linear(dclus1, variables, totals, bounds=(0.6, 1.6))
    api00 = numeric(clus1["api00"])
    assert_stated(pair(mean(bounded, api00)), CLUS1["calibrate bounds=c(0.6,1.6) svymean(~api00)"])
    assert pair(mean(bounded, api00)) == pytest.approx(LOCAL["greg_bounded"]["mean_api00"], rel=REL)
    g = bounded.weights / dclus1.weights
    assert g.min() >= 0.6 - 1e-12
    assert g.max() <= 1.6 + 1e-12
    raked = calibrate(dclus1, variables, totals, method="raking")
    assert_stated(pair(mean(raked, api00)), CLUS1["calibrate calfun='raking' svymean(~api00)"])
    assert pair(mean(raked, api00)) == pytest.approx(LOCAL["greg_raking"]["mean_api00"], rel=REL)


def test_calibration_residuals_change_the_se_compared_with_plain_weights(
    dclus1: Design, clus1: dict[str, np.ndarray]
) -> None:
    greg = calibrate_linear(
        dclus1,
        {"stype": clus1["stype"], "api99": numeric(clus1["api99"])},
        {"stype": STYPE, "api99": API99_TOTAL},
    )
    plain = Design(weights=greg.weights, clusters=clus1["dnum"], fpc=numeric(clus1["fpc"]))
    wrong = CLUS1["naive SE if calibrated weights are treated as design weights (WRONG, for contrast)"]["GREG"]
    assert_stated(mean(plain, numeric(clus1["api00"])).se, wrong)
    assert mean(plain, numeric(clus1["api00"])).se == pytest.approx(LOCAL["naive_greg_se"][0][0], rel=REL)
    assert mean(greg, numeric(clus1["api00"])).se < wrong / 6
    raked = rake(
        dclus1,
        {"stype": clus1["stype"], "sch.wide": clus1["sch.wide"]},
        {"stype": STYPE, "sch.wide": SCH_WIDE},
    )
    plain_raked = Design(weights=raked.weights, clusters=clus1["dnum"], fpc=numeric(clus1["fpc"]))
    naive = CLUS1["naive SE if calibrated weights are treated as design weights (WRONG, for contrast)"]["rake"]
    assert_stated(mean(plain_raked, numeric(clus1["api00"])).se, naive)


def test_trimming_matches_r_trimweights(dclus1: Design, clus1: dict[str, np.ndarray]) -> None:
    greg = calibrate_linear(
        dclus1,
        {"stype": clus1["stype"], "api99": numeric(clus1["api99"])},
        {"stype": STYPE, "api99": API99_TOTAL},
    )
    trimmed = trim_weights(greg, lower=20, upper=50)
    expected = LOCAL["greg_trimmed_20_50"]
    assert [trimmed.weights.min(), trimmed.weights.max()] == pytest.approx(expected["weight_range"], rel=1e-9)
    assert pair(mean(trimmed, numeric(clus1["api00"]))) == pytest.approx(expected["mean_api00"], rel=REL)
    assert trimmed.weights.sum() == pytest.approx(greg.weights.sum(), rel=1e-12)
    strict = trim_weights(greg, lower=20, upper=50, strict=True)
    assert strict.weights.max() <= 50 + 1e-9


def test_calibration_trim_bounds_g_and_keeps_the_population_total(dclus1: Design, clus1: dict[str, np.ndarray]) -> None:
    trimmed = rake(dclus1, {"stype": clus1["stype"]}, {"stype": STYPE})
    g = calibrate(dclus1, {"stype": clus1["stype"]}, {"stype": STYPE}, method="raking", trim=(0.9, 1.1))
    assert g.weights.sum() == pytest.approx(trimmed.weights.sum(), rel=1e-12)
    ratio = g.weights / dclus1.weights
    assert ratio.min() >= 0.9 - 1e-12


def test_weight_summary_gives_kish_design_effect_and_effective_n() -> None:
    d = Design(weights=np.array([1.0, 1.0, 2.0, 4.0]))
    s = weight_summary(d)
    assert s.effective_n == pytest.approx(64 / 22)
    assert s.kish_deff == pytest.approx(4 * 22 / 64)
    assert (s.min, s.max, s.ratio, s.total) == (1.0, 4.0, 4.0, 8.0)


def test_calibration_errors_name_the_variable_and_category() -> None:
    d = Design(weights=np.ones(4))
    age = np.array(["young", "old", "old", "young"], dtype=object)
    sex = np.array(["f", "m", "f", "m"], dtype=object)
    with pytest.raises(UnknownCategoryError, match=r"'age'.*'young'"):
        rake(d, {"age": age}, {"age": {"old": 10.0}})
    with pytest.raises(MissingCategoryError, match=r"'age'.*'middle'.*no respondent"):
        rake(d, {"age": age}, {"age": {"young": 5.0, "old": 5.0, "middle": 3.0}})
    with pytest.raises(InconsistentMarginsError, match="'age' sums to 10 but 'sex' sums to 12"):
        rake(d, {"age": age, "sex": sex}, {"age": {"young": 5.0, "old": 5.0}, "sex": {"f": 6.0, "m": 6.0}})
    zero = Design(weights=np.array([0.0, 1.0, 1.0, 0.0]))
    with pytest.raises(EmptyCellError, match=r"'age'.*'young'.*zero total sample weight"):
        rake(zero, {"age": age}, {"age": {"young": 5.0, "old": 5.0}})
    with pytest.raises(CalibrationError, match="missing values"):
        rake(
            d,
            {"age": np.array(["young", None, "old", "old"], dtype=object)},
            {"age": {"young": 5.0, "old": 5.0}},
        )


def test_non_convergence_raises_with_the_worst_category() -> None:
    d = Design(weights=np.ones(4))
    age = np.array(["young", "old", "old", "young"], dtype=object)
    with pytest.raises(ConvergenceError, match="'age' = 'old'"):
        calibrate_linear(d, {"age": age}, {"age": {"young": 1.0, "old": 99.0}}, bounds=(0.5, 2.0))


def test_poststratification_errors_name_the_cell() -> None:
    d = Design(weights=np.ones(3))
    cells = np.array(["a", "b", "b"], dtype=object)
    with pytest.raises(MissingCategoryError, match=r"'region'.*'c'"):
        poststratify(d, cells, {"a": 1.0, "b": 2.0, "c": 3.0}, name="region")
    partial = poststratify(d, cells, {"a": 1.0, "b": 2.0, "c": 3.0}, name="region", partial=True)
    assert partial.weights.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(UnknownCategoryError, match=r"'region'.*'b'"):
        poststratify(d, cells, {"a": 1.0}, name="region")


def test_chained_calibration_and_later_trimming_follow_r(dclus1: Design, clus1: dict[str, np.ndarray]) -> None:
    post = poststratify(dclus1, clus1["stype"], STYPE, name="stype")
    chained = rake(post, {"sch.wide": clus1["sch.wide"]}, {"sch.wide": SCH_WIDE})
    expected = LOCAL["poststratify_then_rake"]
    api00 = numeric(clus1["api00"])
    assert pair(mean(chained, api00)) == pytest.approx(expected["mean_api00"], rel=REL)
    trimmed = trim_weights(chained, lower=25, upper=45)
    assert pair(mean(trimmed, api00)) == pytest.approx(expected["trimmed_25_45_mean_api00"], rel=REL)
