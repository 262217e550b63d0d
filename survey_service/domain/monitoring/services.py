"""Response monitoring: completed and partial responses per day, language and mode, and for invitation
waves the invitations sent and answered per stratum — with disclosure control.

Every count below ``MIN_COUNT`` (zero included) is shown as "<5", never exactly. So that none can be
worked out by subtraction from a shown total, each table goes through the project's complementary
suppression (``analysis.disclosure.protect_shared``, the rule of the report's response rates too): more
cells are withheld ("hidden") until no withheld cell follows from the published cells and totals. The
tables of one wave share their totals (all responses, all invitations), so a total withheld in one table
is withheld in all of them. Partial responses are withheld before complete ones.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from analysis.disclosure import DisclosureRules, protect_shared
from analysis.disclosure import shown as published
from survey_service.db.models import Invitation, Response, Survey
from survey_service.domain.monitoring.schemas import Cell, CountRow, InvitationMonitoring, Monitoring, RateRow
from survey_service.domain.surveys.services import get_survey
from survey_service.languages import ordered

MIN_COUNT = 5
RULES = DisclosureRules(min_base=0, caution_base=0, min_count=MIN_COUNT)
NONE = "(none)"


def N_(message: str) -> str:
    """Mark a message for the staff catalogue (the staff page shows it translated; the API in English)."""
    return message


NOTE = N_(
    "Counts below 5 are shown as <5, never exactly. So that they cannot be worked out by subtracting the "
    "other counts from a total, further counts are hidden where needed, in each table and in the totals it "
    "shares with the others. Response rates are shown only where both of their counts are. Comparing "
    "tables of different groupings, or one day's page with the next, is not protected against: keep these "
    "pages among the staff. Days are Helsinki dates: complete responses by the day they were sent or entered, partial "
    "ones (saved, not sent) by the day they were started. Paper forms entered without their invitation code do "
    "not count as answered invitations."
)


def _grid(x: np.ndarray) -> np.ndarray:
    grid = np.zeros((x.shape[0] + 1, x.shape[1] + 1), dtype=np.int64)
    grid[:-1, :-1] = x
    grid[-1, :-1] = x.sum(axis=0)
    grid[:, -1] = grid[:, :-1].sum(axis=1)
    return grid


def shown(value: int, withheld: bool) -> Cell:
    """What is published of one count."""
    return cast(Cell, published(value, withheld, RULES))


def _rate(completed: Cell, sent: Cell) -> float | None:
    if isinstance(completed, int) and isinstance(sent, int) and sent:
        return round(completed / sent, 3)
    return None


async def _status_table(session: AsyncSession, survey: Survey, column: Any) -> dict[str, list[int]]:
    """label -> [complete, partial] for a grouping column of the response table."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows: Any = await session.execute(
        select(column, Response.status, func.count())
        .where(Response.survey_id == survey.id)
        .group_by(column, Response.status)
    )
    for label, status, n in rows:
        out[str(label)][0 if status == "complete" else 1] += int(n)
    return out


async def _by_day(session: AsyncSession, survey: Survey) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    columns: tuple[tuple[str, Any, int], ...] = (
        ("complete", Response.submitted_on, 0),
        ("partial", Response.started_on, 1),
    )
    for status, day_column, position in columns:
        rows: Any = await session.execute(
            select(day_column, func.count())
            .where(Response.survey_id == survey.id, Response.status == status)
            .group_by(day_column)
        )
        for day, n in rows:
            out[day.isoformat()][position] += int(n)
    return dict(sorted(out.items()))


def _count_rows(groups: Sequence[dict[str, list[int]]]) -> tuple[CountRow, list[list[CountRow]]]:
    tables = [np.array(list(g.values()), dtype=np.int64).reshape(len(g), 2) for g in groups]
    # complete responses (column 0) are what a closed wave reports: the partial ones are withheld instead
    masks = protect_shared(tables, rules=RULES, keep_columns=[0])
    out = []
    totals = None
    for g, x, mask in zip(groups, tables, masks, strict=True):
        grid = _grid(x)
        rows = [
            CountRow(
                label=label,
                complete=shown(grid[i, 0], mask[i, 0]),
                partial=shown(grid[i, 1], mask[i, 1]),
                total=shown(grid[i, 2], mask[i, 2]),
            )
            for i, label in enumerate(g)
        ]
        out.append(rows)
        totals = CountRow(
            label="all",
            complete=shown(grid[-1, 0], mask[-1, 0]),
            partial=shown(grid[-1, 1], mask[-1, 1]),
            total=shown(grid[-1, 2], mask[-1, 2]),
        )
    assert totals is not None
    return totals, out


async def _invitations(session: AsyncSession, survey: Survey) -> InvitationMonitoring:
    """Sent and answered invitations in total and per value of each stratum (the preset language first)."""
    per: dict[str, Counter[tuple[str, bool]]] = defaultdict(Counter)
    rows: Any = await session.execute(
        select(Invitation.language, Invitation.strata, Invitation.status).where(Invitation.survey_id == survey.id)
    )
    for language, strata, status in rows:
        done = status == "completed"
        per["language"][(language or NONE, done)] += 1
        preset: dict[str, Any] = strata or {}
        for key, value in preset.items():
            per[key][(str(value) if value not in (None, "") else NONE, done)] += 1
    strata_keys = ["language", *sorted(k for k in per if k != "language")] if per else ["language"]
    groups: list[tuple[str, list[str], np.ndarray]] = []
    for key in strata_keys:
        counts = per.get(key, Counter())
        values = sorted({v for v, _ in counts}, key=lambda v: (v == NONE, v))
        if key == "language":
            values = [*ordered(v for v in values if v != NONE), *([NONE] if NONE in values else [])]
        x = np.array([[counts[(v, True)], counts[(v, False)]] for v in values], dtype=np.int64).reshape(len(values), 2)
        groups.append((key, values, x))
    masks = protect_shared([x for _, _, x in groups], rules=RULES)
    by_stratum = []
    for (key, values, x), mask in zip(groups, masks, strict=True):
        grid = _grid(x)
        for i, value in enumerate(values):
            completed, sent = shown(grid[i, 0], mask[i, 0]), shown(grid[i, 2], mask[i, 2])
            by_stratum.append(
                RateRow(stratum=key, value=value, sent=sent, completed=completed, rate=_rate(completed, sent))
            )
    grid, mask = _grid(groups[0][2]), masks[0]
    completed, sent = shown(grid[-1, 0], mask[-1, 0]), shown(grid[-1, 2], mask[-1, 2])
    return InvitationMonitoring(sent=sent, completed=completed, rate=_rate(completed, sent), by_stratum=by_stratum)


async def monitoring(session: AsyncSession, slug: str) -> Monitoring:
    survey = await get_survey(session, slug)
    languages = await _status_table(session, survey, Response.language)
    modes = await _status_table(session, survey, Response.mode)
    days = await _by_day(session, survey)
    ordered_languages = {code: languages[code] for code in ordered(languages)}
    totals, (by_day, by_language, by_mode) = _count_rows([days, ordered_languages, dict(sorted(modes.items()))])
    return Monitoring(
        wave=survey.slug,
        access=survey.access,
        min_count=MIN_COUNT,
        totals=totals,
        by_day=by_day,
        by_language=by_language,
        by_mode=by_mode,
        invitations=await _invitations(session, survey) if survey.access == "invitation" else None,
        note=NOTE,
    )
