"""Disclosure control of the monitoring tables: no count below 5 is shown, and none can be worked out by
subtraction — in any row or column with its total, and through the totals the tables share."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from survey_service.domain.monitoring.schemas import CountRow
from survey_service.domain.monitoring.services import MIN_COUNT, _count_rows, shown

counts = st.integers(min_value=0, max_value=40)
table = st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.lists(counts, min_size=2, max_size=2), max_size=6)


def _lines(rows: list[CountRow], totals: CountRow) -> list[list[Any]]:
    """Every additive line: each row (complete + partial = total) and each column with its total."""
    lines = [[r.complete, r.partial, r.total] for r in [*rows, totals]]
    for field in ("complete", "partial", "total"):
        lines.append([getattr(r, field) for r in [*rows, totals]])
    return lines


@settings(max_examples=150, deadline=None)
@given(st.lists(table, min_size=1, max_size=3))
def test_no_small_count_is_shown_or_recoverable_from_the_totals(groups: list[dict[str, list[int]]]) -> None:
    # every table partitions the same responses: make their column totals agree, as they do in a wave
    total = [sum(v[0] for v in groups[0].values()), sum(v[1] for v in groups[0].values())]
    aligned = [groups[0]]
    for g in groups[1:]:
        rest = [total[0] - sum(v[0] for v in g.values()), total[1] - sum(v[1] for v in g.values())]
        if min(rest) < 0:
            continue
        aligned.append({**g, "zz": rest})
    totals, tables = _count_rows(aligned)
    for cell, value in ((totals.complete, total[0]), (totals.partial, total[1]), (totals.total, sum(total))):
        assert cell == shown(value, False) or cell == "hidden"
    for g, rows in zip(aligned, tables, strict=True):
        for row, (label, (c, p)) in zip(rows, g.items(), strict=True):
            assert row.label == label
            for cell, value in ((row.complete, c), (row.partial, p), (row.total, c + p)):
                assert cell == value if isinstance(cell, int) else cell in {"<5", "hidden"}
                if isinstance(cell, int):
                    assert cell >= MIN_COUNT
                if value < MIN_COUNT:
                    assert cell == "<5"
        for line in _lines(rows, totals) if rows else []:
            withheld = [c for c in line if not isinstance(c, int)]
            assert len(withheld) != 1, f"a withheld count follows by subtraction: {line}"


def test_a_small_partial_count_hides_enough_to_keep_it_small() -> None:
    totals, [rows] = _count_rows([{"web": [100, 3], "paper": [20, 0]}])
    assert [r.partial for r in rows] == ["<5", "<5"]
    assert totals.partial == "<5"
    assert "hidden" in {rows[0].complete, rows[0].total, totals.complete, totals.total}
