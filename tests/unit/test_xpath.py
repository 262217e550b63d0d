"""Skip logic <-> XLSForm relevant: every construct both ways, and refusals that name what is supported."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_service.questionnaire import expr
from survey_service.questionnaire.xpath import XPathError, from_relevant, show_if_text, to_relevant


@pytest.mark.parametrize(
    ("show_if", "relevant"),
    [
        ("A == 1", "${A} = 1"),
        ("A != 'never'", "${A} != 'never'"),
        ("A <= 4 or B > 2.5", "${A} <= 4 or ${B} > 2.5"),
        ("A in (2, 3)", "(${A} = 2 or ${A} = 3)"),
        ("A not in ('x', 'y')", "(${A} != 'x' and ${A} != 'y')"),
        ("G contains 'origin'", "selected(${G}, 'origin')"),
        ("answered(A)", "${A} != ''"),
        ("not (A == 1 or B == 2)", "not(${A} = 1 or ${B} = 2)"),
        ("(A == 1 or B == 2) and C == 3", "(${A} = 1 or ${B} = 2) and ${C} = 3"),
    ],
)
def test_skip_logic_becomes_xpath_with_the_same_meaning(show_if: str, relevant: str) -> None:
    assert to_relevant(show_if) == relevant
    back = from_relevant(relevant)
    answers_list = [{}, {"A": 1, "B": 2, "C": 3, "G": ["origin"]}, {"A": 3, "B": 3.0, "C": 3}, {"A": "never"}]
    for answers in answers_list:
        assert expr.evaluate(expr.parse(back), answers) == expr.evaluate(expr.parse(show_if), answers)


def test_xlsform_idioms_are_read() -> None:
    assert from_relevant("${A} = ''") == "not answered(A)"
    assert from_relevant("string-length(${T}) > 0") == "answered(T)"
    assert from_relevant("count-selected(${M}) > 0") == "answered(M)"
    assert from_relevant("${A}='2'") == "A == 2"
    assert from_relevant("${AGE} = '18_29'") == "AGE == '18_29'"


@pytest.mark.parametrize(
    ("relevant", "message"),
    [
        ("${A} = today()", "expected a number or a quoted value, found 'today'"),
        ("position(..) > 1", "cannot read the expression at '..) > 1'"),
        ("count(${A}) > 1", "unsupported expression part 'count'"),
        ("${A} + 1 = 2", "cannot read the expression"),
        ("${A} = 1 and", "unsupported expression part the end"),
        ("string-length(${A}) > 3", "only to test whether a question is answered"),
    ],
)
def test_unsupported_xpath_is_refused_naming_the_supported_subset(relevant: str, message: str) -> None:
    with pytest.raises(XPathError, match="supported") as info:
        from_relevant(relevant)
    assert message in str(info.value)


_code = st.sampled_from(["A", "B", "C"])
_lit = st.one_of(st.integers(-5, 20), st.sampled_from(["x", "no", "18_29"]))
_leaf = st.one_of(
    st.builds(expr.Compare, _code, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), _lit),
    st.builds(expr.In, _code, st.lists(_lit, min_size=1, max_size=3).map(tuple), st.booleans()),
    st.builds(expr.Contains, _code, _lit),
    st.builds(expr.Answered, _code),
)
_node = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.builds(expr.Not, inner),
        st.builds(expr.BoolOp, st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=6,
)
_answers = st.fixed_dictionaries(
    {},
    optional={"A": st.one_of(_lit, st.lists(_lit, max_size=2)), "B": _lit, "C": st.lists(_lit, max_size=2)},
)


@given(_node, st.lists(_answers, min_size=1, max_size=5))
def test_any_expression_means_the_same_after_going_through_xpath(node: expr.Node, answers: list[dict]) -> None:  # type: ignore[type-arg]
    text = show_if_text(node)
    back = from_relevant(to_relevant(text))
    for a in answers:
        assert expr.evaluate(expr.parse(back), a) == expr.evaluate(expr.parse(text), a), (text, back, a)
