"""Mantel–Haenszel against R: UCBAdmissions and the DIF of bfi item A2 by gender; ETS classes."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import ets_class, mantel_haenszel, mh_dif

from .rdata import DATA, REL, assert_stated, local, numeric, published, read_csv

BASE = published()["base_R"]
LOCAL = local()["base"]


def ucb_tables() -> np.ndarray:
    """UCBAdmissions as (department, admit, gender) counts, R's x[admit, gender, dept]."""
    t = read_csv(DATA / "datasets" / "UCBAdmissions.csv")
    depts = sorted(set(t["Dept"]))
    out = np.zeros((len(depts), 2, 2))
    for admit, gender, dept, freq in zip(t["Admit"], t["Gender"], t["Dept"], t["Freq"], strict=True):
        out[depts.index(dept), int(admit != "Admitted"), int(gender != "Male")] = float(freq)
    return out


def test_mantel_haenszel_on_ucb_admissions() -> None:
    tables = ucb_tables()
    corrected = mantel_haenszel(tables)
    plain = mantel_haenszel(tables, correct=False)
    r = BASE["mantelhaen.test(UCBAdmissions)"]
    assert_stated([corrected.statistic, plain.statistic], [r["X2_correct"], r["X2_nocorrect"]])
    assert_stated([corrected.odds_ratio, corrected.ci_low, corrected.ci_high], [r["OR_MH"], *r["ci"]])
    expected = LOCAL["mh_ucb"]
    assert [corrected.statistic, plain.statistic, corrected.p_value, corrected.odds_ratio] == pytest.approx(
        [expected["X2_correct"], expected["X2_nocorrect"], expected["p_correct"], expected["OR_MH"]], rel=REL
    )
    assert [corrected.ci_low, corrected.ci_high] == pytest.approx(expected["ci"], rel=REL)


def test_mh_dif_of_an_agreeableness_item_between_genders() -> None:
    bfi = read_csv(DATA / "psych" / "bfi.csv")
    items = {name: numeric(bfi[name]) for name in ("A1", "A2", "A3", "A4", "A5", "gender")}
    rest = (7 - items["A1"]) + items["A3"] + items["A4"] + items["A5"]
    keyed = np.where(np.isnan(items["A2"]), np.nan, (items["A2"] >= 5).astype(float))
    res = mh_dif(keyed, items["gender"], rest, reference=2.0, focal=1.0)
    r = BASE["MH DIF bfi A2>=5 by gender | rest score"]
    assert_stated([res.statistic, res.p_value, res.alpha_mh, res.d_dif], [r["X2"], r["p"], r["OR_MH"], r["MH_D_DIF"]])
    expected = LOCAL["mh_dif_A2"]
    assert res.n == expected["n"]
    assert [res.statistic, res.p_value, res.alpha_mh, res.d_dif] == pytest.approx(
        [expected["X2"], expected["p"], expected["OR_MH"], expected["MH_D_DIF"]], rel=REL
    )
    lo, hi = expected["ci"]
    assert res.se_d == pytest.approx(2.35 * np.log(hi / lo) / (2 * 1.959963984540054), rel=REL)
    assert res.ets_class == "A"


def test_ets_classes_follow_size_and_significance() -> None:
    assert ets_class(-0.9, 0.2, 1e-4) == "A"  # small
    assert ets_class(-1.8, 0.2, 0.2) == "A"  # not significant
    assert ets_class(1.2, 0.2, 1e-4) == "B"
    assert ets_class(-1.6, 0.5, 1e-4) == "B"  # large but not significantly above 1
    assert ets_class(-1.8, 0.2, 1e-6) == "C"


def test_strong_dif_in_constructed_data_is_class_c() -> None:
    rng = np.random.default_rng(5)
    n = 4000
    group = np.where(rng.random(n) < 0.5, "fi", "ru")
    score = rng.integers(0, 10, n).astype(float)
    logit = -2 + 0.45 * score - 1.6 * (group == "ru")
    item = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    res = mh_dif(item, group, score, reference="fi", focal="ru")
    assert res.d_dif < -1.5
    assert res.ets_class == "C"
