"""XLSForm workbooks written by the tests, in the shapes people bring from KoboToolbox and ODK."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

Rows = Sequence[Sequence[Any]]


def workbook(survey: Rows, choices: Rows = (), settings: Rows = (), names: Sequence[str] = ()) -> bytes:
    """A workbook with the given sheets; ``names`` renames survey, choices, settings (e.g. upper case)."""
    wb = Workbook()
    wb.remove(wb.active)
    titles = [*names, *["survey", "choices", "settings"][len(names) :]]
    for title, rows in zip(titles, (survey, choices, settings), strict=True):
        if not rows:
            continue
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def kobo_form() -> bytes:
    """A Kobo-style flat form in two languages: or_other, constraint and required messages, piping, no settings."""
    return workbook(
        [
            [
                "type",
                "name",
                "label::English (en)",
                "label::Suomi (fi)",
                "hint::English (en)",
                "hint::Suomi (fi)",
                "required",
                "constraint",
                "constraint_message::English (en)",
                "constraint_message::Suomi (fi)",
                "required_message::English (en)",
                "required_message::Suomi (fi)",
                "appearance",
            ],
            ["start", "start"],
            [
                "select_one areas or_other",
                "area",
                "Where do you live?",
                "Missä asut?",
                "",
                "",
                "yes",
                "",
                "",
                "",
                "Please choose an area",
                "Valitse alue",
                "horizontal",
            ],
            [
                "integer",
                "age",
                "How old are you?",
                "Kuinka vanha olet?",
                "",
                "",
                "yes",
                ". > 14",
                "You must be at least 15",
                "Sinun pitää olla vähintään 15",
                "",
                "",
            ],
            [
                "select_one yn",
                "likes",
                "Do you like living in ${area}?",
                "Viihdytkö alueella ${area}?",
                "You are ${age}",
                "Olet ${age}",
            ],
        ],
        [
            ["list name", "name", "label::English (en)", "label::Suomi (fi)"],
            ["areas", "north", "North", "Pohjoinen"],
            ["areas", "south", "South", "Etelä"],
            ["yn", "yes", "Yes", "Kyllä"],
            ["yn", "no", "No", "Ei"],
        ],
    )
