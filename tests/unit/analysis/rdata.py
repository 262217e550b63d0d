"""Readers for the R reference data in tests/data/r (CSV exported by R, JSON of R results)."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "data" / "r"

# relative tolerance for estimates and standard errors, absolute tolerance for interval ends
REL = 1e-6
ABS = 1e-6


def read_csv(path: Path, missing: tuple[str, ...] = ("NA", "")) -> dict[str, np.ndarray]:
    """Columns of a CSV file as object arrays; R's NA and empty cells become None."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([None if r[k] in missing else r[k] for r in rows], dtype=object) for k in rows[0]}


def numeric(values: np.ndarray) -> np.ndarray:
    """A column as floats with NaN for missing."""
    return np.array([np.nan if v is None else float(v) for v in values])


@cache
def api(name: str) -> dict[str, np.ndarray]:
    """One of R survey's ``data(api)`` tables (apistrat, apiclus1, apiclus2, apisrs)."""
    return read_csv(DATA / "api" / f"{name}.csv")


@cache
def local() -> dict[str, Any]:
    """Results of make_reference.R with the local R (survey 4.1.1, psych 2.2.9)."""
    return json.loads((DATA / "local-reference.json").read_text())


_R_SPECIAL = {"NaN": float("nan"), "NA": float("nan"), "Inf": float("inf"), "-Inf": float("-inf")}


def _r_special(value: Any) -> Any:
    """jsonlite writes R's NaN, NA and Inf as strings: back to floats."""
    if isinstance(value, str) and value in _R_SPECIAL:
        return _R_SPECIAL[value]
    if isinstance(value, list):
        return [_r_special(v) for v in value]
    if isinstance(value, dict):
        return {k: _r_special(v) for k, v in value.items()}
    return value


@cache
def corner() -> dict[str, Any]:
    """Results of corner_cases.R with the local R: logit calibration, one-PSU domains, equal and zero
    weights, lonely PSUs, svychisq statistics, documented differences."""
    return _r_special(json.loads((DATA / "corner-cases.json").read_text()))  # type: ignore[no-any-return]


@cache
def published() -> dict[str, Any]:
    """The project's r-reference-values.json (R survey 4.5 / psych 2.5.3)."""
    return json.loads((DATA / "r-reference-values.json").read_text())


@cache
def synthetic_expected() -> dict[str, Any]:
    """R's results (oracle.R) for the synthetic two-wave survey."""
    return json.loads((DATA / "synthetic" / "expected.json").read_text())


@cache
def synthetic_margins() -> dict[str, dict[str, float]]:
    """Population margins of the synthetic survey: variable -> category -> count."""
    out: dict[str, dict[str, float]] = {}
    with (DATA / "synthetic" / "margins.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["variable"], {})[row["category"]] = float(row["population"])
    return out


@cache
def synthetic_wave(name: str) -> dict[str, np.ndarray]:
    """A synthetic wave read as oracle.R does: empty cells and DISC = no_answer are missing."""
    return read_csv(DATA / "synthetic" / f"{name}.csv", missing=("", "no_answer"))


def decimals(x: float) -> int:
    """Decimal places a published number is given with (its shortest repr)."""
    text = repr(float(x))
    if "e" in text:
        mantissa, exponent = text.split("e")
        frac = mantissa.split(".")[1] if "." in mantissa else ""
        return max(len(frac.rstrip("0")) - int(exponent), 0)
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def assert_stated(actual: list[float] | float, expected: list[float] | float) -> None:
    """Equal to a published reference to the precision it states: within half a unit of its last digit."""
    acts = actual if isinstance(actual, list) else [actual]
    exps = expected if isinstance(expected, list) else [expected]
    assert len(acts) == len(exps)
    for a, e in zip(acts, exps, strict=True):
        tol = 0.5 * 10.0 ** -decimals(e) + 1e-12 * abs(e)
        assert abs(a - e) <= tol, f"{a} differs from the published {e} by more than {tol:g}"
