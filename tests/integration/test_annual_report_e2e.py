"""From a questionnaire to the council's numbers in one step, equal to R ``survey``.

The synthetic two-wave survey (tests/data/oracles/synthetic, see PROVENANCE.md): the questionnaire is
written as an XLSForm workbook (tests/xlsform_synthetic.py) and imported with the XLSForm importer,
a plan gets two waves, both waves' responses are imported from CSV, population margins are
set, and the report JSON equals R's results (expected.json): shares, indicators with logit intervals,
means, the Rao-Scott test, the change between waves and Cronbach's alpha. Estimates and SEs to 1e-6
relative; interval ends to 1e-6 absolute.
"""

from __future__ import annotations

import json
import math
from typing import Any

import msgspec
import pytest

from survey_service.db.engine import Database
from survey_service.domain.imports.services import import_responses
from survey_service.domain.plans.services import create_plan
from survey_service.domain.reports.services import report_input
from survey_service.domain.weighting.services import set_margins
from survey_service.questionnaire.xlsform import from_xlsform
from survey_service.results.report import build_report
from tests.helpers import ORACLE, synthetic_wave
from tests.xlsform_synthetic import build as build_xlsform

EXPECTED = json.loads((ORACLE / "expected.json").read_text())
REL = 1e-6


def close(actual: float | None, expected: float, rel: float = REL) -> bool:
    return actual is not None and math.isclose(actual, expected, rel_tol=rel, abs_tol=1e-12)


async def _reports(db: Database) -> dict[str, dict[str, Any]]:
    async with db.write() as session:
        plan = await create_plan(session, slug="syn", name="Synthetic plan 2023–2025", start_year=2023, end_year=2025)
    q = from_xlsform(build_xlsform(), "synthetic.xlsx")
    await synthetic_wave(db, "syn-1", 2023, plan, q)
    await synthetic_wave(db, "syn-2", 2024, plan, q)
    margins = (ORACLE / "margins.csv").read_bytes()
    for slug, file in (("syn-1", "wave1.csv"), ("syn-2", "wave2.csv")):
        async with db.write() as session:
            await import_responses(session, slug, ORACLE / file)
        async with db.write() as session:
            await set_margins(session, slug, margins)
    out = {}
    for slug in ("syn-1", "syn-2"):
        async with db.read() as session:
            inp = await report_input(session, slug, "en")
        out[slug] = json.loads(msgspec.json.encode(build_report(inp)))
    return out


def _rows(report: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [r for r in report["estimates"] if all(r[k] == v for k, v in match.items())]


def _one(report: dict[str, Any], **match: Any) -> dict[str, Any]:
    rows = _rows(report, **match)
    assert len(rows) == 1, (match, rows)
    return rows[0]


def _domain(key: str) -> tuple[str | None, str | None]:
    if key == "all":
        return None, None
    g, _, level = key.partition("=")
    return g, level


@pytest.fixture
async def reports(db: Database) -> dict[str, dict[str, Any]]:
    return await _reports(db)


def _published(row: dict[str, Any], withheld: list[tuple[Any, ...]]) -> bool:
    """Whether disclosure control let ``row`` through; a withheld row shows no number at all."""
    if row["suppressed"]:
        assert row["estimate"] is None and row["se"] is None, row
        withheld.append((row["item"], row["group_variable"], row["group_category"], row["category"]))
    return not row["suppressed"]


async def test_report_json_equals_r_survey(reports: dict[str, dict[str, Any]]) -> None:
    """Every published number equals R; cells that disclosure control withholds (small counts in the
    smallest areas, and the cells that would give them away) show no number."""
    compared: list[Any] = []
    withheld: list[tuple[Any, ...]] = []
    for wave, slug in (("wave1", "syn-1"), ("wave2", "syn-2")):
        exp, rep = EXPECTED[wave], reports[slug]
        assert rep["n_responses"] == exp["n"]
        assert rep["weighting"]["method"] == "raking"
        assert close(rep["weighting"]["effective_n"], exp["kish_effective_n"])
        assert close(rep["weighting"]["weight_min"], exp["weight_range"][0])
        assert close(rep["weighting"]["weight_max"], exp["weight_range"][1])
        # shares of every answer code, overall and in every domain
        for item, domains in exp["shares"].items():
            for key, cats in domains.items():
                g, level = _domain(key)
                for code, (est, se) in cats.items():
                    row = _one(
                        rep, item=item, statistic="share", category=int(code), group_variable=g, group_category=level
                    )
                    if _published(row, withheld):
                        assert close(row["estimate"], est) and close(row["se"], se), (wave, item, key, code, row)
                        compared.append(row)
        # the indicator BEL in {1, 2} with logit intervals; DISC == yes as the share of "yes"
        for key, e in exp["ciprop"]["BELb"].items():
            g, level = _domain(key)
            row = _one(rep, item="BEL", statistic="indicator", group_variable=g, group_category=level)
            assert close(row["estimate"], e["est"]) and close(row["se"], e["se"]), (wave, key, row)
            assert abs(row["ci_low"] - e["logit"][0]) < 1e-6 and abs(row["ci_high"] - e["logit"][1]) < 1e-6
            assert row["n"] == e["n"] and row["suppressed"] is False
        for key, e in exp["ciprop"]["DISCb"].items():
            g, level = _domain(key)
            row = _one(rep, item="DISC", statistic="share", category="yes", group_variable=g, group_category=level)
            if _published(row, withheld):
                assert close(row["estimate"], e["est"]) and close(row["se"], e["se"]), (wave, key, row)
                assert abs(row["ci_low"] - e["logit"][0]) < 1e-6 and abs(row["ci_high"] - e["logit"][1]) < 1e-6
                compared.append(row)
        for key, (est, se) in exp["means"]["TRUST"].items():
            g, level = _domain(key)
            row = _one(rep, item="TRUST", statistic="mean", group_variable=g, group_category=level)
            assert close(row["estimate"], est) and close(row["se"], se), (wave, key, row)
        chisq = exp["chisq_BELb_lang"]
        test = next(t for t in rep["tests"] if t["item"] == "BEL" and t["group_variable"] == "lang")
        assert test["method"] == "rao-scott-f"
        assert close(test["statistic"], chisq["F"]) and close(test["df_num"], chisq["ndf"])
        assert close(test["df_den"], chisq["ddf"]) and close(test["p"], chisq["p"])
    assert {group for _, group, _, _ in withheld} <= {"area"}
    assert len(compared) > 9 * len(withheld)
    change = next(c for c in reports["syn-2"]["changes"] if c["item"] == "BEL" and c["from_survey"] == "syn-1")
    diff = EXPECTED["diff_BELb"]
    assert (
        close(change["difference"], diff["diff"]) and close(change["se"], diff["se"]) and close(change["p"], diff["p"])
    )
    assert change["p_adjusted"] >= change["p"]
    alpha = EXPECTED["alpha_INT_wave1"]
    scale = next(s for s in reports["syn-1"]["scales"] if s["scale"] == "INT")
    assert scale["items"] == ["INT1", "INT2", "INT3", "INT4"] and scale["n"] == alpha["n"]
    assert close(scale["alpha"], alpha["raw_alpha"])
    assert close(scale["ci_low"], alpha["feldt"][0]) and close(scale["ci_high"], alpha["feldt"][1])


async def test_report_fixtures_are_what_build_report_makes(reports: dict[str, dict[str, Any]], db: Database) -> None:
    """tests/data/reports (rendered by the HTML/PDF/browser tests) is still what the report code makes."""
    from datetime import date

    from survey_service.domain.plans.services import set_target

    async with db.write() as session:
        await set_target(session, "syn", "BEL", direction="increase", value=0.7, year=2025)
        await set_target(session, "syn", "SAFE", direction="increase")
        await set_target(session, "syn", "GETON", direction="decrease")
    async with db.read() as session:
        inp = await report_input(session, "syn-2", "en", today=date(2024, 12, 1))
    made = json.loads(msgspec.json.encode(build_report(inp)))
    fixture = json.loads((ORACLE.parent.parent / "reports" / "synthetic-wave2.en.json").read_text())
    made["plan"]["name"] = fixture["plan"]["name"]  # the fixture's plan is named synthetic: it has the banner
    made["synthetic"] = fixture["synthetic"]
    assert _same(made, fixture)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


async def test_a_wave_without_margins_is_reported_unweighted_and_says_so(db: Database) -> None:
    from survey_service.results.render import render_html

    await synthetic_wave(db, "syn-1", 2023)
    async with db.write() as session:
        await import_responses(session, "syn-1", ORACLE / "wave1.csv")
    async with db.read() as session:
        report = build_report(await report_input(session, "syn-1", "en"))
    assert report.weighting.method == "unweighted" and report.weighting.variables == []
    assert report.weighting.weight_min == report.weighting.weight_max == 1.0
    assert "Unweighted: no population margins were set for this wave." in render_html(report)
    share = next(
        e for e in report.estimates if e.item == "BEL" and e.statistic == "indicator" and e.group_variable is None
    )
    assert share.n == EXPECTED["wave1"]["ciprop"]["BELb"]["all"]["n"]
