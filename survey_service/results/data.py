"""From stored responses to columns: the data-extraction layer of reports and exports.

Responses are read with plain ``select()`` in batches (never as ORM objects) and turned into one list
per variable. ``analysis_column`` gives the numpy array an estimator takes: non-substantive answers
(don't know, prefer not to say) become missing, as does item non-response.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_service.db.models import Response, Survey
from survey_service.questionnaire.schema import Questionnaire
from survey_service.results.variables import VariableInfo, recode_value, variables

BATCH_ROWS = 5000


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """One complete response as exports and analyses read it."""

    answers: dict[str, Any]
    language: str
    mode: str
    submitted_on: date | None


async def count_responses(session: AsyncSession, survey: Survey) -> int:
    stmt = (
        select(func.count()).select_from(Response).where(Response.survey_id == survey.id, Response.status == "complete")
    )
    return int((await session.execute(stmt)).scalar_one())


async def iter_responses(session: AsyncSession, survey: Survey) -> AsyncIterator[StoredResponse]:
    """Every complete response of a wave, streamed from the database in batches (bounded memory)."""
    stmt = (
        select(Response.answers, Response.language, Response.mode, Response.submitted_on)
        .where(Response.survey_id == survey.id, Response.status == "complete")
        .order_by(Response.id)
        .execution_options(yield_per=BATCH_ROWS)
    )
    result = await session.stream(stmt)
    async for row in result:
        yield StoredResponse(_answers(row.answers), str(row.language), str(row.mode), row.submitted_on)


def _answers(value: Any) -> dict[str, Any]:
    # JSON columns come back decoded on both backends; a text value (some drivers) is decoded here
    if isinstance(value, str | bytes):
        decoded: dict[str, Any] = msgspec.json.decode(value)
        return decoded
    return dict(value)


@dataclass
class WaveData:
    """One wave's complete responses as columns (raw codes; derived recodes computed)."""

    questionnaire: Questionnaire
    variables: list[VariableInfo]
    raw: dict[str, list[Any]]
    language: list[str]
    mode: list[str]
    by_code: dict[str, VariableInfo] = field(init=False)

    def __post_init__(self) -> None:
        self.by_code = {v.code: v for v in self.variables}

    @property
    def n(self) -> int:
        return len(self.language)

    @classmethod
    def from_rows(cls, q: Questionnaire, rows: Iterable[StoredResponse]) -> WaveData:
        infos = variables(q)
        stored = [v for v in infos if v.kind != "derived"]
        raw: dict[str, list[Any]] = {v.code: [] for v in infos}
        language: list[str] = []
        mode: list[str] = []
        for row in rows:
            a = row.answers
            for v in stored:
                raw[v.code].append(a.get(v.code))
            language.append(row.language)
            mode.append(row.mode)
        by_code = {v.code: v for v in infos}
        for v in infos:
            if v.kind == "derived" and v.source is not None:
                src = by_code[v.source]
                raw[v.code] = [recode_value(v, x, src) for x in raw[v.source]]
        return cls(q, infos, raw, language, mode)

    def analysis_column(self, code: str) -> npt.NDArray[Any]:
        """Answers of one variable for an estimator: numbers as floats (NaN missing), codes as objects
        (None missing); non-substantive codes are missing. Codes keep their type (1 stays an int)."""
        if code == "language":
            return np.asarray(self.language, dtype=object)
        var = self.by_code[code]
        values = self.raw[code]
        skip = var.missing_codes
        if var.kind == "multiple":
            raise ValueError(f"{code} is a multiple-choice question: use choice_column()")
        if var.numeric or var.kind == "year" or (var.choices and all(isinstance(c.code, int) for c in var.choices)):
            return np.fromiter(
                (np.nan if x is None or str(x) in skip or isinstance(x, str) else float(x) for x in values),
                float,
                len(values),
            )
        return np.asarray([None if x is None or str(x) in skip else x for x in values], dtype=object)

    def codes(self, code: str) -> list[Any]:
        """Answers of a coded variable as stored, with non-substantive codes as None."""
        skip = self.by_code[code].missing_codes
        return [None if x is None or str(x) in skip else x for x in self.raw[code]]

    def choice_column(self, code: str, choice: int | str) -> npt.NDArray[np.float64]:
        """A multiple-choice question as 0/1 for one choice; missing when the question was not answered
        or only non-substantive choices were picked."""
        var = self.by_code[code]
        skip = var.missing_codes
        out = np.full(self.n, np.nan)
        for i, picked in enumerate(self.raw[code]):
            if not picked:
                continue
            substantive = [p for p in picked if str(p) not in skip]
            if substantive:
                out[i] = 1.0 if any(str(p) == str(choice) for p in substantive) else 0.0
        return out

    def indicator_column(self, code: str) -> npt.NDArray[np.float64]:
        """1 where the answer is one of the indicator's favourable codes, 0 for other substantive
        answers, NaN for missing and non-substantive ones."""
        var = self.by_code[code]
        assert var.indicator is not None
        favourable = {str(c) for c in var.indicator.favourable}
        skip = var.missing_codes
        return np.fromiter(
            (np.nan if x is None or str(x) in skip else (1.0 if str(x) in favourable else 0.0) for x in self.raw[code]),
            float,
            self.n,
        )


async def load_wave(session: AsyncSession, survey: Survey, q: Questionnaire) -> WaveData:
    """Read every complete response of a wave into columns."""
    rows = [r async for r in iter_responses(session, survey)]
    return WaveData.from_rows(q, rows)
