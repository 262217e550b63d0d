"""Every value R's oracle.R computed for the synthetic two-wave survey (expected.json).

Estimates and SEs to 1e-6 relative, interval ends to 1e-6 absolute.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from analysis import Design, mean, proportion_ci, rao_scott, shares_table, wave_difference, weight_summary

from .rdata import ABS, REL, numeric, synthetic_expected, synthetic_wave

EXPECTED = synthetic_expected()
WAVES = ("wave1", "wave2")
ITEMS = ("BEL", "GETON", "SAFE")


@pytest.fixture(scope="module")
def designs(wave1: Design, wave2: Design) -> dict[str, Design]:
    return {"wave1": wave1, "wave2": wave2}


def domain(cols: dict[str, np.ndarray], key: str) -> np.ndarray | None:
    """oracle.R's domain names: "all" or "group=level"."""
    if key == "all":
        return None
    group, level = key.split("=")
    return cols[group] == level


def binary(cols: dict[str, np.ndarray], name: str) -> np.ndarray:
    """BELb = BEL in {1, 2} (9 = don't know is missing); DISCb = DISC == yes (no_answer is missing)."""
    if name == "BELb":
        bel = numeric(cols["BEL"])
        bel[bel == 9] = np.nan
        return np.where(np.isnan(bel), np.nan, (bel <= 2).astype(float))
    return np.array([np.nan if v is None else float(v == "yes") for v in cols["DISC"]])


@pytest.mark.parametrize("wave", WAVES)
def test_raked_weights_match_r(designs: dict[str, Design], wave: str) -> None:
    expected = EXPECTED[wave]
    d = designs[wave]
    assert d.n == expected["n"]
    assert d.weights[:5] == pytest.approx(expected["weights_first5"], rel=1e-10)
    summary = weight_summary(d)
    assert [summary.min, summary.max] == pytest.approx(expected["weight_range"], rel=1e-10)
    assert summary.effective_n == pytest.approx(expected["kish_effective_n"], rel=1e-10)


@pytest.mark.parametrize("wave", WAVES)
def test_every_share_overall_and_by_lang_and_area_matches_svymean(designs: dict[str, Design], wave: str) -> None:
    cols = synthetic_wave(wave)
    tables = shares_table(
        designs[wave],
        {item: numeric(cols[item]) for item in ITEMS},
        {"lang": cols["lang"], "area": cols["area"]},
        exclude=(9,),
    )
    checked = 0
    for item in ITEMS:
        for key, shares in EXPECTED[wave]["shares"][item].items():
            group, level = (None, None) if key == "all" else key.split("=")
            for category, (value, se) in shares.items():
                est = tables[item].estimate(int(category), group, level)
                assert [est.value, est.se] == pytest.approx([value, se], rel=REL), (item, key, category)
                checked += 1
    assert checked == 3 * 9 * 4  # items × (all, 2 language groups, 6 areas) × codes


@pytest.mark.parametrize("wave", WAVES)
@pytest.mark.parametrize("item", ["BELb", "DISCb"])
def test_logit_and_korn_graubard_intervals_with_df_and_n(designs: dict[str, Design], wave: str, item: str) -> None:
    cols = synthetic_wave(wave)
    y = binary(cols, item)
    expected: dict[str, Any] = EXPECTED[wave]["ciprop"][item]
    for key, r in expected.items():
        logit = proportion_ci(designs[wave], y, domain(cols, key), method="logit")
        beta = proportion_ci(designs[wave], y, domain(cols, key), method="beta")
        assert [logit.value, logit.se] == pytest.approx([r["est"], r["se"]], rel=REL), key
        assert [logit.ci_low, logit.ci_high] == pytest.approx(r["logit"], abs=ABS), key
        assert [beta.ci_low, beta.ci_high] == pytest.approx(r["beta"], abs=ABS), key
        assert (logit.df, logit.n) == (r["df"], r["n"])


@pytest.mark.parametrize("wave", WAVES)
def test_trust_means_overall_and_by_language(designs: dict[str, Design], wave: str) -> None:
    cols = synthetic_wave(wave)
    trust = numeric(cols["TRUST"])
    for key, (value, se) in EXPECTED[wave]["means"]["TRUST"].items():
        est = mean(designs[wave], trust, domain(cols, key))
        assert [est.value, est.se] == pytest.approx([value, se], rel=REL), key


@pytest.mark.parametrize("wave", WAVES)
def test_rao_scott_f_test_of_belonging_by_language(designs: dict[str, Design], wave: str) -> None:
    cols = synthetic_wave(wave)
    res = rao_scott(designs[wave], binary(cols, "BELb"), cols["lang"], statistic="F")
    r = EXPECTED[wave]["chisq_BELb_lang"]
    assert [res.statistic, res.df_num, res.df_den, res.p_value] == pytest.approx(
        [r["F"], r["ndf"], r["ddf"], r["p"]], rel=REL
    )


def test_change_in_belonging_between_independent_waves(designs: dict[str, Design]) -> None:
    shares = {
        wave: proportion_ci(designs[wave], binary(synthetic_wave(wave), "BELb"), method="logit") for wave in WAVES
    }
    change = wave_difference(shares["wave2"], shares["wave1"])
    r = EXPECTED["diff_BELb"]
    assert [change.value, change.se, change.statistic, change.p_value] == pytest.approx(
        [r["diff"], r["se"], r["z"], r["p"]], rel=REL
    )


def test_stacked_calibrated_waves_keep_each_waves_estimates(designs: dict[str, Design]) -> None:
    stacked = Design.stack([designs["wave1"], designs["wave2"]])
    belb = np.concatenate([binary(synthetic_wave(w), "BELb") for w in WAVES])
    wave = np.repeat([1.0, 2.0], [designs["wave1"].n, designs["wave2"].n])
    for j, name in enumerate(WAVES, start=1):
        pooled = proportion_ci(stacked, belb, wave == j)
        r = EXPECTED[name]["ciprop"]["BELb"]["all"]
        assert [pooled.value, pooled.se] == pytest.approx([r["est"], r["se"]], rel=REL)
        assert pooled.df == r["df"]
    assert stacked.degf == designs["wave1"].n + designs["wave2"].n - 2
