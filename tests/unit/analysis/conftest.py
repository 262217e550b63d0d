"""Fixtures: the R reference designs."""

from __future__ import annotations

import pytest

from analysis import Design

from .rdata import api, numeric


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
