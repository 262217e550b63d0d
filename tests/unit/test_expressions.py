"""The skip-logic language: parsing, evaluation semantics, and precise errors for bad input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_service.questionnaire import expr


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("A == 1", {"A": 1}, True),
        ("A == 1", {"A": 2}, False),
        ("A == 1", {}, False),
        ("A != 1", {"A": 2}, True),
        ("A != 1", {}, True),  # a missing answer is "not equal", as in XLSForm
        ("A == 'yes'", {"A": "yes"}, True),
        ('A == "yes"', {"A": "yes"}, True),
        ("A < 3", {"A": 2}, True),
        ("A <= 2.5", {"A": 3}, False),
        ("A > 3", {"A": "x"}, False),  # ordering needs numbers
        ("A >= 3", {}, False),
        ("A in (1, 2)", {"A": 2}, True),
        ("A not in (1, 2)", {"A": 3}, True),
        ("A not in (1, 2)", {}, True),
        ("G contains 'x'", {"G": ["x", "y"]}, True),
        ("G contains 'z'", {"G": ["x", "y"]}, False),
        ("G contains 1", {"G": "1"}, False),  # contains needs a list
        ("answered(A)", {"A": 0}, True),
        ("answered(A)", {"A": []}, False),
        ("not answered(A)", {}, True),
        ("A == 1 and B == 2 or C == 3", {"C": 3}, True),
        ("A == 1 and (B == 2 or C == 3)", {"C": 3}, False),
        ("not (A == 1 or B == 1)", {"A": 2}, True),
        ("A == 1", {"A": True}, False),  # booleans are not codes
    ],
)
def test_expression_evaluates_as_documented(source: str, answers: dict[str, object], expected: bool) -> None:
    assert expr.evaluate(expr.parse(source), answers) is expected


@given(st.sampled_from(["==", "<", "<=", ">", ">="]), st.integers(-3, 3))
def test_missing_answer_makes_comparisons_false_and_negations_true(op: str, value: int) -> None:
    assert expr.evaluate(expr.parse(f"A {op} {value}"), {}) is False
    assert expr.evaluate(expr.parse(f"A != {value}"), {}) is True
    assert expr.evaluate(expr.parse(f"A in ({value})"), {}) is False
    assert expr.evaluate(expr.parse(f"A not in ({value})"), {}) is True


def test_references_lists_every_code_read() -> None:
    tree = expr.parse("A == 1 and (not B in (1, 2) or G contains 'x') and answered(D)")
    assert expr.references(tree) == {"A", "B", "G", "D"}


@pytest.mark.parametrize(
    ("source", "message", "position"),
    [
        ("", "empty expression", 1),
        ("A ==", "expected a number or a quoted code, found end of expression", 5),
        ("A = 1", "unexpected character '=' (use == to compare)", 3),
        ("(A == 1", "expected ')', found end of expression", 8),
        ("A in 1", "expected '(', found '1'", 6),
        ("A == 1 and", "expected a question code, found end of expression", 11),
        ("A == 1 B == 2", "expected end of expression, found 'B'", 8),
        ("A not 1", "expected 'in' after 'not'", 7),
        ("A", "expected a comparison", 2),
        ("A == 'unterminated", "unexpected character", 6),
        ("1 == A", "expected a question code, found '1'", 1),
    ],
)
def test_bad_expression_reports_what_and_where(source: str, message: str, position: int) -> None:
    with pytest.raises(expr.ExpressionError) as info:
        expr.parse(source)
    assert message in str(info.value)
    assert f"(at character {position})" in str(info.value)


def test_deep_nesting_is_refused_not_a_recursion_crash() -> None:
    with pytest.raises(expr.ExpressionError, match="nested deeper"):
        expr.parse("(" * 200 + "A == 1" + ")" * 200)
    with pytest.raises(expr.ExpressionError, match="nested deeper"):
        expr.parse("not " * 200 + "A == 1")


def test_overlong_expression_is_refused() -> None:
    with pytest.raises(expr.ExpressionError, match="longer than"):
        expr.parse("A == 1 or " * 500 + "A == 2")


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_expression_error(source: str) -> None:
    try:
        tree = expr.parse(source)
    except expr.ExpressionError:
        return
    expr.evaluate(tree, {})


_code = st.sampled_from(["A", "B", "C"])
_lit = st.one_of(st.integers(-5, 5), st.sampled_from(["'x'", "'y'"]))


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 4 if depth < 3 else 1))
    if kind == 0:
        return f"{draw(_code)} {draw(st.sampled_from(['==', '!=', '<', '>=']))} {draw(_lit)}"
    if kind == 1:
        return f"{draw(_code)} in ({draw(_lit)}, {draw(_lit)})"
    if kind == 2:
        return f"not ({draw(_expressions(depth + 1))})"
    op = "and" if kind == 3 else "or"
    return f"({draw(_expressions(depth + 1))}) {op} ({draw(_expressions(depth + 1))})"


@given(_expressions(), st.dictionaries(_code, st.one_of(st.integers(-5, 5), st.sampled_from(["x", "y"]))))
def test_generated_expressions_parse_and_match_python_semantics(source: str, answers: dict[str, object]) -> None:
    tree = expr.parse(source)
    assert expr.evaluate(tree, answers) == expr.evaluate(expr.parse(f"not not ({source})"), answers)
    assert expr.evaluate(expr.parse(f"not ({source})"), answers) is not expr.evaluate(tree, answers)
