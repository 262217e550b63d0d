"""Questionnaire definitions: valid ones load, and every kind of broken one gets a precise error."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from survey_service.questionnaire.loader import DefinitionError, load, parse_yaml
from survey_service.questionnaire.schema import Matrix, MultipleChoice, Rating, SingleChoice, variable_codes

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "data" / "questionnaires" / "mini"
Raw = dict[str, Any]


def mini_raw() -> Raw:
    raw = parse_yaml((MINI / "questionnaire.yaml").read_bytes(), "mini")
    assert isinstance(raw, dict)
    return raw


def question(raw: Raw, code: str) -> Raw:
    for section in raw["sections"]:
        for q in section["questions"]:
            if q["code"] == code:
                return q
    raise KeyError(code)


def write(tmp_path: Path, raw: Raw, translations: dict[str, Any] | None = None) -> Path:
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "questionnaire.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    for lang, content in (translations or {}).items():
        (folder / "translations").mkdir(exist_ok=True)
        (folder / "translations" / f"{lang}.yaml").write_text(yaml.safe_dump(content, allow_unicode=True))
    return folder


def problems_of(tmp_path: Path, raw: Raw, translations: dict[str, Any] | None = None) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        load(write(tmp_path, raw, translations))
    return [str(p) for p in info.value.problems]


def test_mini_questionnaire_loads_with_every_question_type() -> None:
    q = load(MINI)
    kinds = {type(x) for x in q.questions()}
    assert {SingleChoice, MultipleChoice, Rating, Matrix} <= kinds
    assert len(kinds) == 8
    codes = [c for x in q.questions() for c in variable_codes(x)]
    assert "DISC_WORK" in codes and "DISC" not in codes


def test_yes_and_no_stay_strings_not_booleans() -> None:
    q = load(MINI)
    disc = next(x for x in q.questions() if x.code == "DISC")
    assert isinstance(disc, Matrix)
    assert [c.code for c in disc.choices] == ["yes", "no", "na"]


def _set(path: list[Any], value: Any) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        node: Any = raw
        for key in path[:-1]:
            node = question(raw, key) if isinstance(key, str) and key.isupper() else node[key]
        node[path[-1]] = value

    return mutate


def _del(path: list[Any]) -> Callable[[Raw], None]:
    def mutate(raw: Raw) -> None:
        node: Any = raw
        for key in path[:-1]:
            node = question(raw, key) if isinstance(key, str) and key.isupper() else node[key]
        del node[path[-1]]

    return mutate


def _append_question(q: Raw, section: int = 0) -> Callable[[Raw], None]:
    return lambda raw: raw["sections"][section]["questions"].append(q)


_BASIC = {"dimension": "attitudes", "text": {"fi": "K", "en": "Q"}}

BROKEN: list[tuple[str, Callable[[Raw], None], str]] = [
    (
        "unknown question type",
        _append_question({"type": "slider", "code": "X", **_BASIC}),
        "question X: type: Invalid value 'slider'",
    ),
    ("unknown field", _set(["GETON", "colour"], "red"), "question GETON: Object contains unknown field `colour`"),
    (
        "missing required field",
        _del(["GETON", "text"]),
        "question GETON: Object missing required field `text`",
    ),
    ("invalid dimension", _set(["GETON", "dimension"], "mood"), "question GETON: dimension: Invalid enum value 'mood'"),
    ("bad variable code", _set(["GETON", "code"], "1abc"), "code: Expected `str` matching regex"),
    (
        "duplicate question code",
        _append_question({"type": "text", "code": "TRUST", **_BASIC}, 2),
        "question TRUST: code: duplicate variable code 'TRUST'",
    ),
    (
        "code differing only in case",
        _append_question({"type": "text", "code": "trust", **_BASIC}, 2),
        "question trust: code: duplicate variable code 'trust'",
    ),
    (
        "duplicate choice code",
        lambda raw: question(raw, "GETON")["choices"].append({"code": 2, "label": {"fi": "x", "en": "y"}}),
        "question GETON: choice 2: duplicate choice code",
    ),
    (
        "missing translation",
        lambda raw: question(raw, "GETON")["choices"][0]["label"].pop("en"),
        "question GETON: choice.1.en: missing text in language 'en'",
    ),
    ("empty text", _set(["TRUST", "text", "en"], "  "), "question TRUST: text.en: empty text"),
    (
        "undeclared language",
        _set(["TRUST", "text", "sv"], "Förtroende"),
        "question TRUST: text.sv: language 'sv' is not declared",
    ),
    (
        "skip logic syntax",
        _set(["CONTACT_GOOD", "show_if"], "CONTACT = 'never'"),
        "question CONTACT_GOOD: show_if: unexpected character '=' (use == to compare) (at character 9)",
    ),
    (
        "skip logic referring forward",
        _set(["TRUST", "show_if"], "CONTACT == 'often'"),
        "question TRUST: show_if: refers to 'CONTACT', which is not an earlier question",
    ),
    (
        "skip logic referring to itself",
        _set(["TRUST", "show_if"], "TRUST > 5"),
        "question TRUST: show_if: refers to 'TRUST', which is not an earlier question",
    ),
    (
        "skip logic with an unknown code",
        _set(["CONTACT_GOOD", "show_if"], "CONTACT == 'rarely'"),
        "question CONTACT_GOOD: show_if: 'rarely' is not a code of 'CONTACT'",
    ),
    (
        "contains on a single choice",
        _set(["CONTACT_GOOD", "show_if"], "CONTACT contains 'often'"),
        "question CONTACT_GOOD: show_if: 'contains' needs a multiple-choice question",
    ),
    (
        "indicator code not a choice",
        _set(["GETON", "indicator"], {"favourable": [1, 5]}),
        "question GETON: indicator.favourable: code 5 is not a choice of this question",
    ),
    (
        "indicator on a don't-know code",
        _set(["GETON", "indicator"], {"favourable": [9]}),
        "question GETON: indicator.favourable: code 9 is a non-substantive choice",
    ),
    (
        "rating range reversed",
        _set(["TRUST", "min"], 11),
        "question TRUST: min: min (11) must be smaller than max (10)",
    ),
    (
        "rating extra choice inside the scale",
        _set(["TRUST", "extra_choices"], [{"code": 5, "label": {"fi": "x", "en": "y"}, "missing": True}]),
        "question TRUST: choice 5: extra choice code collides with the scale 0..10",
    ),
    (
        "single choice with one option",
        _set(["CONTACT", "choices"], [{"code": "often", "label": {"fi": "Usein", "en": "Often"}}]),
        "question CONTACT: choices: needs at least two substantive choices",
    ),
    (
        "number range reversed",
        _set(["HOUSEHOLD", "min"], 30),
        "question HOUSEHOLD: min: min (30.0) is larger than max (20.0)",
    ),
    ("max_selected too large", _set(["GROUNDS", "max_selected"], 9), "question GROUNDS: max_selected: must be between"),
    (
        "reporting group not a question",
        _set(["reporting_groups"], ["AGE", "NOPE"]),
        "questionnaire: reporting_groups: 'NOPE' is not a single-choice question or derived variable",
    ),
    (
        "recode of an unknown code",
        lambda raw: raw["derived"][0]["map"].update({"xx": "foreign"}),
        "derived variable LANG_GROUP: map.xx: 'xx' is not a code of 'TONGUE'",
    ),
    ("source language not declared", _set(["source_language"], "sv"), "questionnaire: source_language: 'sv' is not"),
    ("duplicate section id", lambda raw: raw["sections"][1].update(id="opinions"), "section opinions: id: duplicate"),
    (
        "wrong type of a text",
        _set(["GETON", "text", "en"], 12),
        "question GETON: text.en: Expected `str`, got `int`",
    ),
    (
        "matrix statement with a bad code",
        lambda raw: question(raw, "DISC")["statements"][0].update(code="disc work"),
        "question DISC: statement disc work.code: Expected `str` matching regex",
    ),
    (
        "skip logic naming a matrix instead of a statement",
        _set(["GROUNDS", "show_if"], "DISC == 'yes'"),
        "question GROUNDS: show_if: 'DISC' is a matrix: refer to one of its statements",
    ),
]


@pytest.mark.parametrize(("kind", "mutate", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_definition_gets_a_precise_error(
    tmp_path: Path, kind: str, mutate: Callable[[Raw], None], expected: str
) -> None:
    raw = copy.deepcopy(mini_raw())
    mutate(raw)
    problems = problems_of(tmp_path, raw)
    assert any(expected in p for p in problems), f"{kind}: {problems}"
    assert all(p.startswith(str(tmp_path / "q" / "questionnaire.yaml")) for p in problems)


def test_at_least_fifteen_kinds_of_broken_definitions_are_covered() -> None:
    assert len(BROKEN) >= 15


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    raw = mini_raw()
    question(raw, "TRUST")["text"].pop("en")
    question(raw, "CONTACT_GOOD")["show_if"] = "NOPE == 1"
    question(raw, "GETON")["indicator"] = {"favourable": [7]}
    assert len(problems_of(tmp_path, raw)) == 3


def test_invalid_yaml_names_line_and_column(tmp_path: Path) -> None:
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "questionnaire.yaml").write_text("slug: x\ntitle: {fi: [unclosed\n")
    with pytest.raises(DefinitionError) as info:
        load(folder)
    assert "line 3, column 1: not valid YAML" in str(info.value)


def test_translation_file_merges_and_reports_missing_and_unknown_keys(tmp_path: Path) -> None:
    raw = mini_raw()
    strings = {"title": "Pieni", "GETON.text": "Toimeen?", "NOPE.text": "x"}
    problems = problems_of(tmp_path, raw, {"sv": {"language": "sv", "status": "draft", "strings": strings}})
    translation_file = str(tmp_path / "q" / "translations" / "sv.yaml")
    assert f"{translation_file}: string NOPE.text: does not match any string of the questionnaire" in problems


def test_complete_translation_file_adds_a_language_with_its_status(tmp_path: Path) -> None:
    from survey_service.questionnaire.loader import load_raw, text_fields

    raw, _ = load_raw(MINI)
    strings = {key: f"[sv] {container[name]['fi']}" for key, container, name in text_fields(raw)}
    folder = write(tmp_path, mini_raw(), {"sv": {"language": "sv", "status": "draft", "strings": strings}})
    q = load(folder)
    assert q.languages["sv"].status == "draft"
    assert q.title["sv"] == "[sv] Pieni kysely"


def test_translation_missing_a_string_names_the_translation_file(tmp_path: Path) -> None:
    from survey_service.questionnaire.loader import load_raw, text_fields

    raw, _ = load_raw(MINI)
    strings = {key: "x" for key, _, _ in text_fields(raw) if key != "TRUST.min_label"}
    problems = problems_of(tmp_path, mini_raw(), {"sv": {"language": "sv", "status": "draft", "strings": strings}})
    assert problems == [
        f"{tmp_path / 'q' / 'translations' / 'sv.yaml'}: question TRUST: min_label.sv: missing text in language 'sv'"
    ]


def test_shipped_good_relations_questionnaire_is_valid() -> None:
    q = load(ROOT / "questionnaires" / "good-relations")
    codes = {c for x in q.questions() for c in variable_codes(x)}
    assert {"AGE_GROUP", "GENDER", "AREA", "MOTHER_TONGUE"} <= codes
    assert {"attitudes", "security", "interaction", "participation", "discrimination", "background"} == {
        x.dimension for x in q.questions()
    }
    assert {"fi", "sv", "en"} <= set(q.languages)
    assert all(x.source for x in q.questions() if x.dimension != "background")
    assert q.reporting_groups == ["AGE_GROUP", "GENDER", "AREA", "LANG_GROUP"]


def test_yaml_aliases_are_refused_before_they_expand() -> None:
    # nine aliases of nine aliases of nine: tiny as text, 9**3 nodes once expanded (99 of each froze a server)
    text = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    text += "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    with pytest.raises(DefinitionError) as exc:
        parse_yaml(text, "bomb.yaml")
    assert "anchors and aliases" in str(exc.value)
    assert "line 1" in str(exc.value)


def test_a_definition_with_thousands_of_problems_reports_the_first_hundred_and_a_count() -> None:
    from survey_service.domain.questionnaires.services import parse_upload

    raw = parse_yaml((MINI / "questionnaire.yaml").read_text(), "mini")
    question = {"type": "single_choice", "code": "Q", **_BASIC, "choices": []}
    raw["sections"][0]["questions"] = [dict(question, code="Q") for _ in range(3000)]
    with pytest.raises(DefinitionError) as exc:
        parse_upload(json.dumps(raw).encode(), "many.yaml", complete=True)
    assert len(exc.value.problems) == 101
    assert exc.value.problems[-1].message.endswith("more problem(s) not listed")
