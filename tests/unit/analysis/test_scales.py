"""Scales against psych: alpha (raw, standardised, G6, average r, ase, r.drop), Feldt, omega; the ⅔ rule."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from analysis import cronbach_alpha, domain_index, feldt_interval, omega_total, rescale

from .rdata import (
    DATA,
    REL,
    assert_stated,
    local,
    numeric,
    published,
    read_csv,
    synthetic_expected,
    synthetic_wave,
)

PSYCH = published()["psych"]
LOCAL = local()["psych"]


def matrix(table: dict[str, np.ndarray], names: list[str]) -> np.ndarray:
    return np.column_stack([numeric(table[n]) for n in names])


BFI = read_csv(DATA / "psych" / "bfi.csv")
NEUROTICISM = matrix(BFI, ["N1", "N2", "N3", "N4", "N5"])


def check_alpha(res: Any, expected: dict[str, Any]) -> None:
    assert res.raw_alpha == pytest.approx(expected["raw_alpha"], rel=REL)
    assert res.std_alpha == pytest.approx(expected["std_alpha"], rel=REL)
    assert res.g6 == pytest.approx(expected["G6"], rel=REL)
    assert res.average_r == pytest.approx(expected["average_r"], rel=REL)
    assert res.ase == pytest.approx(expected["ase"], rel=REL)
    assert res.r_drop == pytest.approx(expected["r_drop"], rel=REL)
    assert res.feldt == pytest.approx(expected["feldt"], abs=1e-6)


def test_alpha_on_attitude_matches_psych() -> None:
    attitude = read_csv(DATA / "datasets" / "attitude.csv")
    res = cronbach_alpha(matrix(attitude, list(attitude)))
    check_alpha(res, LOCAL["attitude"])
    r = PSYCH["alpha(attitude)"]
    assert_stated(
        [res.raw_alpha, res.std_alpha, res.g6, res.average_r, res.ase],
        [r[k] for k in ("raw_alpha", "std.alpha", "G6", "average_r", "ase")],
    )
    assert_stated(list(res.r_drop), r["r.drop"])


def test_alpha_on_complete_cases_with_feldt_interval() -> None:
    res = cronbach_alpha(NEUROTICISM, use="complete")
    assert res.n == 2694
    check_alpha(res, LOCAL["bfi_N_complete"])
    r = PSYCH["alpha(na.omit(bfi[16:20]))  (n=2694, N1..N5)"]
    assert_stated(
        [res.raw_alpha, res.std_alpha, res.g6, res.average_r, res.ase],
        [r[k] for k in ("raw_alpha", "std.alpha", "G6", "average_r", "ase")],
    )
    assert_stated(list(res.r_drop), r["r.drop"])
    assert_stated(list(res.feldt), r["feldt95"])


def test_alpha_with_pairwise_missing_data() -> None:
    res = cronbach_alpha(NEUROTICISM)
    assert res.n == 2800
    check_alpha(res, LOCAL["bfi_N_pairwise"])
    r = PSYCH["alpha(bfi[16:20]) pairwise (n=2800 rows)"]
    assert_stated([res.raw_alpha, res.ase], [r["raw_alpha"], r["ase"]])


@pytest.mark.parametrize(
    ("names", "reverse", "key"),
    [
        (["A1", "A2", "A3", "A4", "A5"], [True, False, False, False, False], "bfi_A_keys_A1"),
        (["C1", "C2", "C3", "C4", "C5"], [False, False, False, True, True], "bfi_C_keys_C4_C5"),
    ],
)
def test_alpha_with_reversed_items(names: list[str], reverse: list[bool], key: str) -> None:
    res = cronbach_alpha(matrix(BFI, names), reverse=reverse)
    check_alpha(res, LOCAL[key])
    published_key = {
        "bfi_A_keys_A1": "alpha(bfi[1:5], keys='A1')",
        "bfi_C_keys_C4_C5": "alpha(bfi[6:10], keys=c('C4','C5'))",
    }[key]
    # psych 2.5 standardises differently with missing data; raw alpha (and ase) agree across versions
    assert_stated(res.raw_alpha, PSYCH[published_key]["raw_alpha"])
    if "ase" in PSYCH[published_key]:
        assert_stated(res.ase, PSYCH[published_key]["ase"])


def test_feldt_interval_matches_alpha_ci() -> None:
    assert feldt_interval(0.74, 100, 4) == pytest.approx(LOCAL["feldt_074_100_4"], abs=1e-10)
    assert_stated(list(feldt_interval(0.74, 100, 4)), PSYCH["alpha.ci(0.74, n=100, k=4) Feldt"])


def test_synthetic_contact_scale_alpha_and_feldt() -> None:
    cols = synthetic_wave("wave1")
    items = np.column_stack([numeric(cols[f"INT{i}"]) for i in range(1, 5)])
    res = cronbach_alpha(items, use="complete")
    r = synthetic_expected()["alpha_INT_wave1"]
    assert res.n == r["n"]
    assert [res.raw_alpha, res.std_alpha] == pytest.approx([r["raw_alpha"], r["std_alpha"]], rel=REL)
    assert res.feldt == pytest.approx(r["feldt"], abs=1e-6)


def test_omega_total_from_a_one_factor_minres_solution() -> None:
    res = omega_total(NEUROTICISM)
    assert res.n == 2694
    # psych's L-BFGS-B stops a few 1e-6 short of the exact least-squares loadings
    assert res.loadings == pytest.approx(LOCAL["minres_loadings"], abs=1e-5)
    assert res.omega_total == pytest.approx(LOCAL["omega_total_minres"], rel=REL)
    assert res.omega_total == pytest.approx(PSYCH["omega(na.omit(bfi[16:20]), nfactors=1) omega.tot (minres)"], rel=REL)


def test_rescaling_to_0_100_with_reversal_and_dont_know() -> None:
    y = np.array([1.0, 2.0, 4.0, 9.0, np.nan])
    assert rescale(y, 1, 4, exclude=(9,))[:3] == pytest.approx([0, 100 / 3, 100])
    assert rescale(y, 1, 4, reverse=True, exclude=(9,))[:3] == pytest.approx([100, 200 / 3, 0])
    assert np.isnan(rescale(y, 1, 4, exclude=(9,))[3:]).all()
    with pytest.raises(ValueError, match="outside the scale"):
        rescale(y, 1, 4)


def test_domain_index_needs_two_thirds_of_the_items() -> None:
    scores = np.array(
        [
            [100.0, 50.0, np.nan],  # 2 of 3 answered: index = 75
            [100.0, np.nan, np.nan],  # 1 of 3: no index
            [0.0, 50.0, 100.0],
        ]
    )
    out = domain_index(scores)
    assert out[0] == pytest.approx(75.0)
    assert np.isnan(out[1])
    assert out[2] == pytest.approx(50.0)
    four = np.array([[10.0, 20.0, np.nan, np.nan], [10.0, 20.0, 30.0, np.nan]])
    result = domain_index(four)
    assert np.isnan(result[0])  # 2 of 4 < 2/3
    assert result[1] == pytest.approx(20.0)
