"""Semantic checks of a decoded questionnaire: codes, choices, skip logic, languages, indicators.

The msgspec schema already guarantees shapes and types; this module checks what a schema cannot:
uniqueness, references between questions, and that every string exists in every declared language.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from survey_service.questionnaire import expr
from survey_service.questionnaire.answers import CompiledQuestionnaire
from survey_service.questionnaire.loader import Problem, text_fields
from survey_service.questionnaire.schema import (
    Matrix,
    MultipleChoice,
    Number,
    Question,
    Questionnaire,
    Rating,
    Section,
    SingleChoice,
    Year,
    answer_choices,
    piped_codes,
    variable_codes,
)


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, location: str, field: str, message: str, file: str | None = None) -> None:
        self.problems.append(Problem(file or self.file, location, field, message))


def validate(
    q: Questionnaire, file: str = "", lang_files: dict[str, str] | None = None, *, complete: bool = True
) -> list[Problem]:
    """Every semantic problem of ``q``; an empty list means the definition is usable.

    ``complete=False`` accepts missing strings in languages other than the source language: a draft
    being translated. Publishing needs ``complete=True``.
    """
    out = _Collector(file)
    lang_files = lang_files or {}
    _check_languages(q, out, lang_files, complete)
    known: dict[str, Question] = {}  # variable code -> question, in questionnaire order
    section_ids: set[str] = set()
    for section in q.sections:
        where = f"section {section.id}"
        if section.id in section_ids:
            out.add(where, "id", "duplicate section id")
        section_ids.add(section.id)
        if not section.questions:
            out.add(where, "questions", "a section needs at least one question")
        if section.show_if is not None:
            _check_expression(section.show_if, known, where, out)
        for index, question in enumerate(section.questions):
            qwhere = f"question {question.code}"
            if question.keep_with_previous and index == 0:
                out.add(qwhere, "keep_with_previous", "the first question of a section has no previous question")
            if question.show_if is not None:
                _check_expression(question.show_if, known, qwhere, out)
            _check_question(question, qwhere, out)
            _check_piping(question, known, qwhere, out)
            codes = [question.code, *variable_codes(question)] if isinstance(question, Matrix) else [question.code]
            for code in dict.fromkeys(codes):
                # case-insensitive: SPSS and Stata variable names must stay distinct after export
                if code.lower() in {k.lower() for k in known}:
                    out.add(qwhere, "code", f"duplicate variable code {code!r}")
                known[code] = question
    _check_groups(q, known, out)
    return out.problems


def _check_languages(q: Questionnaire, out: _Collector, lang_files: dict[str, str], complete: bool) -> None:
    declared = list(q.languages)
    if q.source_language not in q.languages:
        out.add("questionnaire", "source_language", f"{q.source_language!r} is not among languages {declared}")
    raw = msgspec.to_builtins(q)
    keys = set()
    for key, container, name in text_fields(raw):
        keys.add(key)
        value = container[name]
        location, field = _key_location(key)
        if not isinstance(value, dict):
            continue
        for lang in declared:
            text = value.get(lang)
            if text is None and not complete and lang != q.source_language:
                continue
            if text is None:
                out.add(location, f"{field}.{lang}", f"missing text in language {lang!r}", lang_files.get(lang))
            elif not str(text).strip():
                out.add(location, f"{field}.{lang}", "empty text", lang_files.get(lang))
        for lang in value:
            if lang not in q.languages:
                out.add(location, f"{field}.{lang}", f"language {lang!r} is not declared in languages {declared}")
    for lang, info in q.languages.items():
        if info.outdated and lang == q.source_language:
            out.add("questionnaire", f"languages.{lang}.outdated", "the source language cannot be outdated")
        for key in info.outdated:
            if key not in keys:
                out.add("questionnaire", f"languages.{lang}.outdated", f"{key!r} is not a string of the questionnaire")


def _key_location(key: str) -> tuple[str, str]:
    """``GETON.choice.1`` -> ("question GETON", "choice.1"); ``section.x.title`` -> ("section x", "title")."""
    parts = key.split(".")
    if parts[0] == "section" and len(parts) >= 3:
        return f"section {parts[1]}", ".".join(parts[2:])
    if len(parts) == 1:
        return "questionnaire", key
    return f"question {parts[0]}", ".".join(parts[1:])


def _check_question(q: Question, where: str, out: _Collector) -> None:
    choices = answer_choices(q)
    seen: set[str] = set()
    for c in choices:
        key = str(c.code)
        if key in seen:
            out.add(where, f"choice {c.code}", "duplicate choice code")
        seen.add(key)
    substantive = [c for c in choices if not c.missing]
    if isinstance(q, SingleChoice | MultipleChoice | Matrix) and len(substantive) < 2:
        out.add(where, "choices", "needs at least two substantive choices")
    if isinstance(q, Matrix):
        if not q.statements:
            out.add(where, "statements", "a matrix needs at least one statement")
        scodes = [s.code for s in q.statements]
        for code in {c for c in scodes if scodes.count(c) > 1}:
            out.add(where, f"statement {code}", "duplicate statement code")
    if isinstance(q, MultipleChoice):
        n = len(q.choices)
        lo, hi = q.min_selected, q.max_selected
        if lo is not None and not 0 <= lo <= n:
            out.add(where, "min_selected", f"must be between 0 and the number of choices ({n})")
        if hi is not None and not 1 <= hi <= n:
            out.add(where, "max_selected", f"must be between 1 and the number of choices ({n})")
        if lo is not None and hi is not None and lo > hi:
            out.add(where, "min_selected", "is larger than max_selected")
    if isinstance(q, Rating):
        if q.min >= q.max:
            out.add(where, "min", f"min ({q.min}) must be smaller than max ({q.max})")
        for c in q.extra_choices:
            if isinstance(c.code, int) and q.min <= c.code <= q.max:
                out.add(where, f"choice {c.code}", f"extra choice code collides with the scale {q.min}..{q.max}")
            if not c.missing:
                out.add(
                    where,
                    f"choice {c.code}",
                    "extra choices of a rating must be non-substantive (missing: true)",
                )
    if isinstance(q, Number) and q.min is not None and q.max is not None and q.min > q.max:
        out.add(where, "min", f"min ({q.min}) is larger than max ({q.max})")
    if isinstance(q, Year) and q.max is not None and q.min > q.max:
        out.add(where, "min", f"min ({q.min}) is larger than max ({q.max})")
    if q.indicator is not None:
        _check_indicator(q, where, out)
    if q.default is not None:
        _check_default(q, where, out)
    if q.layout is not None and not isinstance(q, SingleChoice | MultipleChoice | Rating):
        out.add(where, "layout", "only single-choice, multiple-choice and rating questions have a layout")
    if q.layout == "minimal" and isinstance(q, MultipleChoice):
        out.add(where, "layout", "a drop-down list (minimal) takes one answer: use it on a single-choice question")
    if q.scale is not None and not isinstance(q, SingleChoice | Rating | Matrix):
        out.add(where, "scale", "only single-choice, rating and matrix questions can belong to a scale")


def _check_piping(q: Question, known: dict[str, Question], where: str, out: _Collector) -> None:
    for code in sorted(piped_codes(q)):
        target = known.get(code)
        if target is None:
            out.add(where, "text", f"${{{code}}} shows an answer, but {code!r} is not an earlier question")
        elif isinstance(target, Matrix) and code == target.code:
            out.add(where, "text", f"${{{code}}}: {code!r} is a matrix: show one of its statements")


def _check_default(q: Question, where: str, out: _Collector) -> None:
    # The default is checked as the resident's own typing would be, on the question alone.
    section = Section(id="s", title={}, questions=[msgspec.structs.replace(q, show_if=None)])
    probe = Questionnaire(slug="probe", title={}, source_language="en", languages={}, sections=[section])
    cq = CompiledQuestionnaire(probe)
    parsed = cq.parse_text({q.code: q.default or ""})
    errors = parsed.errors or cq.check(parsed.answers, require=False).errors
    if errors:
        out.add(where, "default", f"{q.default!r} is not a possible answer: {errors[0].message}")


def _check_indicator(q: Question, where: str, out: _Collector) -> None:
    assert q.indicator is not None
    if not q.indicator.favourable:
        out.add(where, "indicator.favourable", "list at least one favourable code")
    if isinstance(q, Rating):
        valid = {str(v) for v in range(q.min, q.max + 1)}
        missing: set[str] = set()
    elif isinstance(q, SingleChoice | Matrix):
        valid = {str(c.code) for c in q.choices if not c.missing}
        missing = {str(c.code) for c in q.choices if c.missing}
    else:
        out.add(where, "indicator", "indicators need a single-choice, rating or matrix question")
        return
    for code in q.indicator.favourable:
        if str(code) in missing:
            out.add(where, "indicator.favourable", f"code {code!r} is a non-substantive choice")
        elif str(code) not in valid:
            out.add(where, "indicator.favourable", f"code {code!r} is not a choice of this question")


def _check_expression(source: str, known: dict[str, Question], where: str, out: _Collector) -> None:
    try:
        tree = expr.parse(source)
    except expr.ExpressionError as exc:
        out.add(where, "show_if", str(exc))
        return
    for node in _leaves(tree):
        target = known.get(node.code)
        if target is None:
            out.add(where, "show_if", f"refers to {node.code!r}, which is not an earlier question")
            continue
        if isinstance(target, Matrix) and node.code == target.code:
            out.add(where, "show_if", f"{node.code!r} is a matrix: refer to one of its statements")
            continue
        literals: tuple[expr.Literal, ...] = ()
        if isinstance(node, expr.Compare):
            literals = (node.value,)
            if node.op not in {"==", "!="} and isinstance(target, MultipleChoice):
                out.add(where, "show_if", f"{node.code!r} is a multiple-choice question: use 'contains'")
        elif isinstance(node, expr.In):
            literals = node.values
        elif isinstance(node, expr.Contains):
            literals = (node.value,)
            if not isinstance(target, MultipleChoice):
                out.add(where, "show_if", f"'contains' needs a multiple-choice question; {node.code!r} is not one")
        if isinstance(node, expr.Compare | expr.In) and isinstance(target, MultipleChoice):
            out.add(where, "show_if", f"{node.code!r} is a multiple-choice question: use 'contains'")
            continue
        _check_literals(target, node.code, literals, where, out)


def _check_literals(
    target: Question, code: str, literals: tuple[expr.Literal, ...], where: str, out: _Collector
) -> None:
    if isinstance(target, Rating):
        valid = {str(v) for v in range(target.min, target.max + 1)} | {str(c.code) for c in target.extra_choices}
    elif isinstance(target, SingleChoice | MultipleChoice | Matrix):
        valid = {str(c.code) for c in target.choices}
    else:
        return
    for lit in literals:
        if str(lit) not in valid:
            out.add(where, "show_if", f"{lit!r} is not a code of {code!r} (codes: {', '.join(sorted(valid))})")


def _leaves(node: expr.Node) -> Iterator[expr.Compare | expr.In | expr.Contains | expr.Answered]:
    if isinstance(node, expr.Not):
        yield from _leaves(node.operand)
    elif isinstance(node, expr.BoolOp):
        for o in node.operands:
            yield from _leaves(o)
    else:
        yield node


def _check_groups(q: Questionnaire, known: dict[str, Question], out: _Collector) -> None:
    derived_codes: dict[str, set[str]] = {}
    for r in q.derived:
        where = f"derived variable {r.code}"
        source = known.get(r.source)
        if r.code in known or r.code in derived_codes:
            out.add(where, "code", f"duplicate variable code {r.code!r}")
        if not isinstance(source, SingleChoice):
            out.add(where, "source", f"{r.source!r} is not a single-choice question")
        else:
            codes = {str(c.code) for c in source.choices}
            for k in r.map:
                if k != "*" and k not in codes:
                    out.add(where, f"map.{k}", f"{k!r} is not a code of {r.source!r}")
        targets = {str(v) for v in r.map.values()}
        for t in sorted(targets - set(r.labels)):
            out.add(where, f"labels.{t}", "derived code has no label")
        derived_codes[r.code] = targets
    seen: set[str] = set()
    for code in q.reporting_groups:
        if code in seen:
            out.add("questionnaire", "reporting_groups", f"{code!r} is listed twice")
        seen.add(code)
        target = known.get(code)
        if code not in derived_codes and not isinstance(target, SingleChoice):
            out.add(
                "questionnaire",
                "reporting_groups",
                f"{code!r} is not a single-choice question or derived variable",
            )
