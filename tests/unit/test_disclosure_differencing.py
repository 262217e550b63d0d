"""Differencing: published results for overlapping groups (everyone vs. each area) cannot be combined to
reveal a withheld group. An attacker knows the area margins the weights were raked to, so the weighted
total of every area is public: with the overall share and all other areas' shares published, one missing
area would follow exactly. Secondary suppression leaves at least two areas missing, so only their sum
follows."""

from __future__ import annotations

import numpy as np

import analysis

AREAS = ["centre", "north", "south", "east", "west"]


def _wave(small_group: bool) -> tuple[analysis.ShareTable, dict[str, float]]:
    rng = np.random.default_rng(7)
    n = 1000
    area = rng.choice(AREAS, n, p=[0.3, 0.12, 0.22, 0.18, 0.18]).astype(object)
    if small_group:
        area[:12] = "island"
    item = rng.choice([1, 2, 3, 4], n, p=[0.4, 0.3, 0.2, 0.1]).astype(float)
    margins = {"centre": 21000.0, "north": 9000.0, "south": 15000.0, "east": 12000.0, "west": 11000.0}
    if small_group:
        margins["island"] = 400.0
        margins["centre"] -= 400.0
    design = analysis.rake(
        analysis.Design(weights=np.full(n, sum(margins.values()) / n)), {"area": area}, {"area": margins}
    )
    table = analysis.shares_table(design, {"BEL": item}, {"area": area}, categories={"BEL": (1, 2, 3, 4)})["BEL"]
    return analysis.disclose(table), margins


def _published(table: analysis.ShareTable) -> dict[str | None, np.ndarray]:
    out: dict[str | None, np.ndarray] = {}
    for j, (_, level) in enumerate(table.domains):
        out[level] = table.value[:, j]
    return out


def test_a_small_area_is_withheld_together_with_at_least_one_other() -> None:
    table, _ = _wave(small_group=True)
    shares = _published(table)
    withheld = [level for level, values in shares.items() if level is not None and np.isnan(values).all()]
    assert "island" in withheld
    assert len(withheld) >= 2, f"only {withheld} withheld: the island could be recovered by differencing"
    assert not np.isnan(shares[None]).any()  # the whole-sample result is still published


def test_differencing_recovers_nothing_exact() -> None:
    table, margins = _wave(small_group=True)
    shares = _published(table)
    total = sum(margins.values())
    known = {a: s for a, s in shares.items() if a is not None and not np.isnan(s).any()}
    missing = [a for a in margins if a not in known]
    # What an attacker can compute: the pooled share of all withheld areas together, never one of them.
    pooled = (total * shares[None] - sum(margins[a] * known[a] for a in known)) / sum(margins[a] for a in missing)
    assert len(missing) >= 2
    assert np.all(np.isfinite(pooled)) and np.all(pooled >= -1e-9)


def test_without_a_small_group_nothing_is_withheld_and_differencing_would_work() -> None:
    """The attack is real: with every area published, the overall share is exactly the margin-weighted mean,
    so if a single area were withheld it would follow by subtraction."""
    table, margins = _wave(small_group=False)
    shares = _published(table)
    assert not any(np.isnan(v).any() for v in shares.values())
    total = sum(margins.values())
    recombined = sum(margins[a] * shares[a] for a in AREAS) / total
    assert np.allclose(recombined, shares[None], atol=1e-12)
