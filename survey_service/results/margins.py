"""Population margins for weighting a wave: reading ``variable,category,population`` CSV files and
checking them against the questionnaire and the wave's respondents before they are stored or used."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from survey_service.errors import ItemError
from survey_service.results.variables import VariableInfo

HEADER = ["variable", "category", "population"]
MAX_BYTES = 1024 * 1024
TOTAL_TOLERANCE = 0.5  # register counts are whole numbers: totals must agree to within rounding

Margins = dict[str, dict[str, float]]


class MarginError(Exception):
    """Margins that cannot be used; ``errors`` names each variable/category at fault."""

    def __init__(self, detail: str, errors: list[ItemError]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


def parse_margins(data: bytes) -> list[tuple[int, str, str, str]]:
    """(line, variable, category, population text) rows of a margins CSV (UTF-8, optional BOM)."""
    if len(data) > MAX_BYTES:
        raise MarginError("the margins file is too large", [])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MarginError("the margins file is not UTF-8 text", []) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows or [h.strip().lower() for h in rows[0]] != HEADER:
        raise MarginError(
            "the first row must be exactly: variable,category,population",
            [ItemError("line 1", f"found {','.join(rows[0]) if rows else 'nothing'}")],
        )
    out = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 3:
            raise MarginError("every row needs three values", [ItemError(f"line {line}", f"found {len(row)} values")])
        out.append((line, row[0].strip(), row[1].strip(), row[2].strip()))
    return out


def check_margins(
    rows: Sequence[tuple[int, str, str, str]],
    variables: Mapping[str, VariableInfo],
) -> Margins:
    """Margins from parsed rows, checked against the questionnaire: known background variables, their
    substantive choice codes, positive counts, no duplicates, and the same total for every variable."""
    errors: list[ItemError] = []
    margins: Margins = defaultdict(dict)
    for line, variable, category, population in rows:
        where = f"line {line}"
        var = variables.get(variable)
        if var is None or var.kind not in ("single", "derived"):
            errors.append(ItemError(where, f"{variable!r} is not a single-choice question or derived variable code"))
            continue
        codes = {str(c.code) for c in var.substantive}
        if category not in codes:
            errors.append(
                ItemError(where, f"{category!r} is not a category of {variable} ({', '.join(sorted(codes))})")
            )
            continue
        try:
            count = float(population.replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            errors.append(ItemError(where, f"population {population!r} is not a number"))
            continue
        if not math.isfinite(count) or count <= 0:
            errors.append(ItemError(where, "population must be a positive number"))
            continue
        if category in margins[variable]:
            errors.append(ItemError(where, f"{variable} = {category} is listed twice"))
            continue
        margins[variable][category] = count
    if errors:
        raise MarginError("the margins are not valid", errors)
    if not margins:
        raise MarginError("the margins file has no rows", [])
    totals = {v: sum(cats.values()) for v, cats in margins.items()}
    first = next(iter(totals))
    for v, total in totals.items():
        if abs(total - totals[first]) > TOTAL_TOLERANCE:
            errors.append(
                ItemError(
                    v,
                    f"categories add up to {total:g}, but {first} adds up to {totals[first]:g}: "
                    "every variable must describe the same population",
                )
            )
    if errors:
        raise MarginError("population totals disagree between variables", errors)
    return dict(margins)


def check_against_sample(margins: Margins, columns: Mapping[str, Sequence[Any]]) -> None:
    """Every margin category must have respondents, and every respondent a category with a margin.

    ``columns`` holds each margin variable's answers (None for missing or non-substantive).
    """
    errors: list[ItemError] = []
    for variable, cats in margins.items():
        counts = Counter(None if v is None else str(v) for v in columns[variable])
        for category in cats:
            if counts.get(category, 0) == 0:
                errors.append(
                    ItemError(
                        f"{variable} = {category}", "no respondent in this category: merge it with another category"
                    )
                )
        for seen, n in counts.items():
            if seen is None:
                errors.append(
                    ItemError(
                        variable, f"{n} respondent(s) did not answer {variable}: weighting needs everyone's category"
                    )
                )
            elif category not in cats:
                errors.append(
                    ItemError(
                        f"{variable} = {category}",
                        f"{n} respondent(s) are in this category, which has no population count",
                    )
                )
    if errors:
        raise MarginError("the margins do not fit the wave's respondents", errors)
