"""Fixtures: the R reference designs and the calibrated synthetic waves."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import Design, rake

from .rdata import api, numeric, synthetic_margins, synthetic_wave


@pytest.fixture(scope="session")
def dstrat() -> Design:
    """R: svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)."""
    d = api("apistrat")
    return Design(weights=numeric(d["pw"]), strata=d["stype"], fpc=numeric(d["fpc"]))


@pytest.fixture(scope="session")
def dclus1() -> Design:
    """R: svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)."""
    d = api("apiclus1")
    return Design(weights=numeric(d["pw"]), clusters=d["dnum"], fpc=numeric(d["fpc"]))


@pytest.fixture(scope="session")
def dclus2() -> Design:
    """R: svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)."""
    d = api("apiclus2")
    return Design(clusters=[d["dnum"], d["snum"]], fpc=[numeric(d["fpc1"]), numeric(d["fpc2"])])


def calibrated_wave(name: str) -> Design:
    """oracle.R: weights N/n raked (calfun = "raking") to age, gender, lang and area margins."""
    cols = synthetic_wave(name)
    margins = synthetic_margins()
    n = cols["age"].size
    population = sum(margins["age"].values())
    base = Design(weights=np.full(n, population / n))
    return rake(base, {v: cols[v] for v in margins}, margins)


@pytest.fixture(scope="session")
def wave1() -> Design:
    """Synthetic wave 1, calibrated as oracle.R."""
    return calibrated_wave("wave1")


@pytest.fixture(scope="session")
def wave2() -> Design:
    """Synthetic wave 2, calibrated as oracle.R."""
    return calibrated_wave("wave2")
