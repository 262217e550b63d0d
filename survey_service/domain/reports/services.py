"""Gathering a report's inputs from the database (responses, margins, plan, targets, invitations)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import msgspec
import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import analysis
from survey_service.db.models import Invitation, Survey
from survey_service.domain.plans.services import baseline_of, plan_waves, targets_of
from survey_service.domain.questionnaires.services import definition_of
from survey_service.domain.surveys.services import get_survey
from survey_service.domain.weighting.services import get_margins
from survey_service.errors import BadRequest, ItemError, Unprocessable
from survey_service.results import exports
from survey_service.results.data import load_wave
from survey_service.results.margins import MarginError, check_against_sample
from survey_service.results.render import render_html, render_pdf
from survey_service.results.report import Progress, ReportInput, Target, WaveInput, build_report
from survey_service.results.schema import PlanInfo, Report, ResponseRate

REPORT_LANGUAGES = ("fi", "sv", "en")
# a plan or wave named like this holds made-up data (the demo): its reports carry a banner saying so
SYNTHETIC_MARKS = ("synthetic", "synteettinen", "syntetisk")
RATE_RULES = analysis.DisclosureRules(min_base=0, caution_base=0)


async def _wave_input(session: AsyncSession, survey: Survey) -> WaveInput:
    """A wave's responses and margins; margins that do not fit its respondents are a clear error (they can
    be set before fielding, so they are checked again here)."""
    q = definition_of(survey.version)
    wave = WaveInput(
        survey.slug, survey.year, await load_wave(session, survey, q), await get_margins(session, survey), survey.title
    )
    if wave.margins and wave.data.n:
        try:
            check_against_sample(wave.margins, {v: wave.data.codes(v) for v in wave.margins})
        except MarginError as exc:
            raise Unprocessable(
                f"survey {survey.slug!r}: {exc.detail}; fix them with 'weights set'", exc.errors
            ) from None
    return wave


REPORT_FORMATS = ("json", "html", "pdf", "csv", "csv-fi")
MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "csv-fi": "text/csv; charset=utf-8",
}


def report_bytes(report: Report, format: str) -> bytes:
    """The report as one file: json (the stable result), html, pdf, or csv (its result tables; csv-fi: the
    same for Finnish Excel)."""
    if format == "pdf":
        return render_pdf(report)
    if format == "json":
        return msgspec.json.encode(report)
    if format == "html":
        return render_html(report).encode()
    if format in ("csv", "csv-fi"):
        return exports.result_table_csv(report, excel_fi=format == "csv-fi")
    raise BadRequest(f"format must be one of {', '.join(REPORT_FORMATS)}, not {format!r}")


def make_report(inp: ReportInput, progress: Progress | None = None) -> Report:
    """``build_report`` with the analysis package's errors (e.g. raking that cannot converge) as 422s."""
    try:
        return build_report(inp, progress)
    except analysis.AnalysisError as exc:
        raise Unprocessable(
            f"the report of {inp.wave.slug!r} cannot be computed", [ItemError("analysis", str(exc))]
        ) from None


async def response_rates(session: AsyncSession, survey: Survey) -> list[ResponseRate]:
    """Completed invitations / invitations, overall and per stratum value (waves with invitations only),
    under the disclosure rule of the monitoring pages: counts below 5 shown as "<5", further counts
    "hidden" where one could be worked out from the others; a rate only where both counts are shown."""
    stmt = select(Invitation.strata, Invitation.status).where(Invitation.survey_id == survey.id)
    rows: list[tuple[dict[str, Any] | None, str]] = [(r.strata, r.status) for r in await session.execute(stmt)]
    if not rows:
        return []
    counts: dict[str, Counter[tuple[str, bool]]] = {}
    for strata, status in rows:
        for key, value in (strata or {}).items():
            counts.setdefault(str(key), Counter())[(str(value), status == "completed")] += 1
    done = sum(1 for _, status in rows if status == "completed")
    tables = [np.array([[done, len(rows) - done]], dtype=np.int64)]
    values = []
    for key in sorted(counts):
        levels = sorted({v for v, _ in counts[key]})
        values.append((key, levels))
        tables.append(np.array([[counts[key][(v, True)], counts[key][(v, False)]] for v in levels], dtype=np.int64))
    masks = analysis.protect_shared(tables, rules=RATE_RULES)

    def rate(variable: str | None, stratum: str | None, responded: int, invited: int, mask: Any) -> ResponseRate:
        shown_done = analysis.shown(responded, bool(mask[0]), RATE_RULES)
        shown_invited = analysis.shown(invited, bool(mask[2]), RATE_RULES)
        both = isinstance(shown_done, int) and isinstance(shown_invited, int)
        return ResponseRate(
            stratum_variable=variable,
            stratum=stratum,
            invited=shown_invited,
            responded=shown_done,
            rate=responded / invited if both and invited else None,
        )

    out = [rate(None, None, done, len(rows), masks[0][-1])]
    for (key, levels), x, mask in zip(values, tables[1:], masks[1:], strict=True):
        out += [rate(key, v, int(x[i, 0]), int(x[i].sum()), mask[i]) for i, v in enumerate(levels)]
    return out


async def report_input(
    session: AsyncSession, slug: str, language: str = "fi", today: date | None = None
) -> ReportInput:
    """Everything ``build_report`` needs for wave ``slug``: its data and margins, the earlier waves of
    its plan, the plan's baseline and targets, and response rates from invitations."""
    if language not in REPORT_LANGUAGES:
        raise BadRequest(f"report language must be one of {', '.join(REPORT_LANGUAGES)}, not {language!r}")
    survey = await get_survey(session, slug)
    wave = await _wave_input(session, survey)
    if wave.data.n == 0:
        raise BadRequest(f"survey {slug!r} has no complete responses yet")
    plan_info, earlier, baseline, targets = None, [], None, []
    if survey.plan_id is not None:
        from survey_service.db.models import Plan

        plan = await session.get(Plan, survey.plan_id)
        assert plan is not None
        waves = await plan_waves(session, plan)
        base = await baseline_of(session, plan)
        baseline = base.slug if base is not None else None
        before = [w for w in waves if (w.year, w.created_at) < (survey.year, survey.created_at)]
        earlier = [await _wave_input(session, w) for w in before]
        earlier = [w for w in earlier if w.data.n]
        targets = [Target(t.item, t.direction, t.value, t.year) for t in await targets_of(session, plan)]
        plan_info = PlanInfo(
            slug=plan.slug,
            name=plan.name,
            start_year=plan.start_year,
            end_year=plan.end_year,
            baseline=baseline,
            waves=[w.slug for w in waves],
        )
    title = survey.title.get(language) or next(iter(survey.title.values()), slug)
    names = [*survey.title.values(), plan_info.name if plan_info else ""]
    synthetic = any(mark in name.lower() for name in names for mark in SYNTHETIC_MARKS)
    return ReportInput(
        wave=wave,
        title=title,
        language=language,
        earlier=earlier,
        plan=plan_info,
        baseline=baseline,
        targets=targets,
        response_rates=await response_rates(session, survey),
        synthetic=synthetic,
        today=today,
    )
