"""Report rows built from ``analysis`` results: nothing without design degrees of freedom is published."""

from __future__ import annotations

import numpy as np

import analysis
from survey_service.results.report import RULES, _mean_rows
from tests.unit.analysis.rdata import api, numeric


def test_a_mean_without_degrees_of_freedom_is_withheld() -> None:
    clus = api("apiclus1")  # R survey's apiclus1: district 716 has 37 schools, all in one PSU
    design = analysis.Design(weights=numeric(clus["pw"]), clusters=clus["dnum"], fpc=numeric(clus["fpc"]))
    district = clus["dnum"] == "716"
    rows = _mean_rows(design, "api00", numeric(clus["api00"]), [(None, None, None), ("dnum", "716", district)])
    whole, one_psu = rows
    assert not whole.suppressed and whole.ci_low is not None
    assert one_psu.n == 37 >= RULES.min_base
    assert "no_df" in analysis.mean(design, numeric(clus["api00"]), district).flags
    assert one_psu.suppressed
    assert one_psu.estimate is None and one_psu.ci_low is None and one_psu.ci_high is None
    assert np.isfinite(analysis.mean(design, numeric(clus["api00"]), district).value)
