"""One disclosure rule everywhere: the report of a small invitation wave prints no count below 5 (response
rates, respondents, bases) in its HTML or its JSON, and monitoring withholds partial responses rather
than a closed wave's complete ones."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
from sqlalchemy import insert

from analysis.disclosure import DisclosureRules, protect_shared
from survey_service.db.engine import Database
from survey_service.db.models import Invitation
from survey_service.domain.imports.services import import_responses
from survey_service.domain.reports.services import make_report, report_input
from survey_service.domain.surveys.services import get_survey
from survey_service.results.render import render_html
from tests.helpers import ORACLE, synthetic_wave

COUNT_FIELDS = {"n", "invited", "responded", "n_responses"}


def _counts(value: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [c for k, v in value.items() for c in _counts(v, k)]
    if isinstance(value, list):
        return [c for v in value for c in _counts(v, key)]
    return [(key, value)] if key in COUNT_FIELDS else []


async def _small_wave(db: Database, tmp_path: Path) -> None:
    survey = await synthetic_wave(db, "syn-small", 2026)
    # 40 complete responses: most groups are large enough for bases, a few categories have 1-4 respondents
    lines = (ORACLE / "wave1.csv").read_text().splitlines()
    path = tmp_path / "small.csv"
    path.write_text("\n".join(lines[:41]) + "\n")
    async with db.write() as session:
        s = await get_survey(session, survey.slug)
        s.access = "invitation"
        await import_responses(session, survey.slug, path)
    rows = []
    for area, sent, answered in (("north", 20, 8), ("south", 10, 2), ("east", 3, 0), ("west", 30, 30)):
        for i in range(sent):
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "survey_id": survey.id,
                    "token_hash": uuid.uuid4().hex,
                    "code_hash": uuid.uuid4().hex,
                    "language": "fi",
                    "strata": {"area": area},
                    "status": "completed" if i < answered else "unused",
                }
            )
    async with db.write() as session:
        await session.execute(insert(Invitation), rows)


async def test_no_count_below_five_is_printed_in_the_report_of_a_small_invitation_wave(
    db: Database, tmp_path: Path
) -> None:
    await _small_wave(db, tmp_path)
    async with db.read() as session:
        report = make_report(await report_input(session, "syn-small", "fi"))
    counts = _counts(msgspec.to_builtins(report))
    assert any(k == "invited" for k, _ in counts) and any(k == "n" for k, _ in counts)
    small = [(k, v) for k, v in counts if isinstance(v, int) and v < 5]
    assert small == []
    # the raw data has such counts: the rule is what removed them
    assert {v for k, v in counts if k in ("invited", "responded")} >= {"<5"}
    assert "<5" in {v for k, v in counts if k == "n"}
    rates = {(r.stratum_variable, r.stratum): r for r in report.response_rates}
    assert rates[("area", "east")].invited == "<5" and rates[("area", "east")].rate is None
    assert rates[("area", "west")].invited == 30 or rates[("area", "west")].invited == "hidden"
    for r in report.response_rates:  # a rate only where both of its counts are shown
        assert (r.rate is not None) == (isinstance(r.invited, int) and isinstance(r.responded, int))
    html = render_html(report)
    cells = re.findall(r"<td>\s*(\d+)\s*</td>", html)
    assert cells and all(int(x) >= 5 for x in cells)
    assert "Vastaajia 1" not in html and "<td>&lt;5</td>" in html


def test_complementary_suppression_withholds_partial_responses_not_a_closed_waves_complete_ones() -> None:
    rules = DisclosureRules(min_base=0, caution_base=0)
    by_language = np.array([[1000, 2], [300, 1]])  # complete, partial
    by_mode = np.array([[1300, 3]])
    masks = protect_shared([by_language, by_mode], rules=rules, keep_columns=[0])
    for mask in masks:
        assert not mask[:, 0].any()  # every count of complete responses, and their total, is published
        assert mask[:, 1].all()  # the partial ones (<5) are withheld, and with them the row totals
    unkept = protect_shared([by_language, by_mode], rules=rules)
    assert unkept[0][:, 0].any()  # without the preference the complete counts were the ones hidden
