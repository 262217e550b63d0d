"""XLSForms in the shapes of pyxform's example suite (written here with openpyxl) import as pyxform reads
them, round-trip through the export, and anything the service cannot keep is refused naming the feature."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from pyxform.xls2xform import convert

from survey_service.questionnaire.loader import DefinitionError
from survey_service.questionnaire.schema import (
    LongText,
    MultipleChoice,
    Number,
    Questionnaire,
    ShortText,
    SingleChoice,
    canonical_json,
)
from survey_service.questionnaire.xlsform import ImportSummary, from_xlsform, read_xlsform, to_xlsform
from tests.xlsform_forms import kobo_form, workbook


def imported(data: bytes, file: str = "form.xlsx", **options: Any) -> tuple[Questionnaire, ImportSummary]:
    return read_xlsform(data, file, complete=False, **options)


def problems(data: bytes, file: str = "form.xlsx", **options: Any) -> list[str]:
    with pytest.raises(DefinitionError) as exc:
        read_xlsform(data, file, complete=False, **options)
    return [str(p) for p in exc.value.problems]


YES_NO = (["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"])


def test_flat_form_with_plain_labels_and_no_settings_takes_its_name_from_the_file() -> None:
    # text_and_integer.xlsx: two questions, one unnamed language, no groups, no settings sheet.
    data = workbook(
        [
            ["type", "name", "label"],
            ["text", "your_name", "What is your name?"],
            ["integer", "your_age", "How many years old are you?"],
        ]
    )
    q, summary = imported(data, "text_and_integer.xlsx", unnamed_language="en")
    assert q.slug == "text-and-integer" and q.title == {"en": "Text and integer"}
    assert q.source_language == "en" and list(q.languages) == ["en"]
    assert [s.id for s in q.sections] == ["questions"]
    name, age = q.sections[0].questions
    assert isinstance(name, ShortText) and name.text == {"en": "What is your name?"} and name.dimension is None
    assert isinstance(age, Number) and age.integer
    assert summary.plain_questions == 2 and summary.languages == {"en": "label"}
    assert summary.sections == ["Text and integer: 2 (questions outside any group)"]
    assert name.max_length == 1000 and any("your_name takes at most 1000 characters" in n for n in summary.notes)


def test_plain_labels_need_a_language_and_say_where_to_give_it() -> None:
    data = workbook([["type", "name", "label"], ["text", "your_name", "Name?"]])
    assert "form.xlsx: sheet survey, row 1: column label: name the language of the 'label' column" in problems(data)[0]


def test_sheet_and_column_names_in_any_case_and_their_aliases() -> None:
    # case_insensitivity.xlsx and the aliases of pyxform's aliases.py: list name, caption, value, select one,
    # select all that apply, begin group / end group, relevance.
    data = workbook(
        [
            ["Type", "Name", "Caption::English (en)", "Relevance"],
            ["Begin Group", "grp", "A group"],
            ["Select One yn", "likes", "Do you like it?"],
            ["select all that apply colours", "colours", "Which colours?", "${likes} = 'yes'"],
            ["END GROUP", "grp"],
        ],
        [
            ["List Name", "Value", "Caption::English (en)"],
            ["yn", "yes", "Yes"],
            ["yn", "no", "No"],
            ["colours", "red", "Red"],
            ["colours", "blue", "Blue"],
        ],
        names=("SURVEY", "Choices"),
    )
    q, _ = imported(data)
    likes, colours = q.sections[0].questions
    assert isinstance(likes, SingleChoice) and [c.code for c in likes.choices] == ["yes", "no"]
    assert isinstance(colours, MultipleChoice) and colours.show_if == "likes == 'yes'"
    assert q.sections[0].title == {"en": "A group"}


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("label:english", "en"),  # yes_or_no_question.xlsx: single colon, lower-case name
        ("label::English", "en"),
        ("label::Suomi", "fi"),
        ("label::svenska", "sv"),
        ("label::العربية", "ar"),
        ("label::Finnish", "fi"),
        ("label::fi", "fi"),
        ("label::Eesti (et)", "et"),
    ],
)
def test_language_names_without_codes_are_found_in_cldr(header: str, code: str) -> None:
    data = workbook(
        [["type", "name", header], ["select_one yn", "ok", "?"]],
        [["list_name", "name", header], ["yn", "1", "a"], ["yn", "2", "b"]],
    )
    q, summary = imported(data)
    assert q.source_language == code and list(q.languages) == [code] and code in summary.languages


def test_an_unknown_language_name_is_asked_for_and_then_used() -> None:
    data = workbook([["type", "name", "label::Klingon", "label::English"], ["text", "t", "nuqneH", "Hello"]])
    found = problems(data)
    assert found == [
        "form.xlsx: sheet survey, row 1: column label::Klingon: 'Klingon' is not a language name this service "
        "knows: give its code, e.g. 'label::Klingon (xx)', or on the import page"
    ]
    q, _summary = imported(data, language_codes={"Klingon": "tlh"})
    assert q.sections[0].questions[0].text == {"tlh": "nuqneH", "en": "Hello"}


def test_questions_before_between_and_after_groups_make_sections_of_their_own() -> None:
    data = workbook(
        [
            ["type", "name", "label::English (en)", "appearance", "relevant"],
            ["note", "welcome", "Welcome"],
            ["text", "first", "First?"],
            ["begin_group", "g1", "Group one", "field-list"],
            ["integer", "inside", "Inside?"],
            ["begin_group", "inner", "Inner", "", "${inside} > 2"],
            ["text", "deep", "Deep?"],
            ["end_group", "inner"],
            ["text", "rest", "Rest of group one?"],
            ["end_group", "g1"],
            ["text", "between", "Between?"],
            ["note", "halfway", "Halfway there"],
            ["text", "last", "Last?"],
        ]
    )
    q, summary = imported(data, "kobo_flat.xlsx")
    shape = [(s.id, s.title["en"], s.show_if, [x.code for x in s.questions]) for s in q.sections]
    assert shape == [
        ("questions", "Kobo flat", None, ["first"]),
        ("g1", "Group one", None, ["inside"]),
        ("inner", "Inner", "inside > 2", ["deep"]),
        ("g1_2", "Group one", None, ["rest"]),
        ("questions_2", "Kobo flat", None, ["between"]),
        ("questions_3", "Kobo flat", None, ["last"]),
    ]
    assert q.description == {"en": "Welcome"} and q.sections[-1].intro == {"en": "Halfway there"}
    assert len(summary.sections) == 6 and "(questions outside any group)" in summary.sections[0]


def test_settings_form_id_with_underscores_and_titles_per_language() -> None:
    data = workbook(
        [
            ["type", "name", "label::Suomi (fi)", "label::English (en)"],
            ["text", "t", "Mitä?", "What?"],
        ],
        settings=[
            ["form_id", "form_title::Suomi (fi)", "form_title::English (en)", "default_language", "style"],
            ["kouvola_pulse", "Kouvolan pulssi", "Kouvola pulse", "English (en)", "pages"],
        ],
    )
    q, summary = imported(data)
    assert q.slug == "kouvola-pulse" and q.source_language == "en"
    assert q.title == {"fi": "Kouvolan pulssi", "en": "Kouvola pulse"}
    assert summary.ignored_columns == ["sheet settings, column style"]


def test_a_single_form_title_is_the_title_in_every_language_until_translated() -> None:
    data = workbook(
        [["type", "name", "label::Suomi (fi)", "label::English (en)"], ["text", "t", "Mitä?", "What?"]],
        settings=[["form_title", "form_id"], ["Pulssi", "pulssi"]],
    )
    q, _ = imported(data)
    assert q.title == {"fi": "Pulssi", "en": "Pulssi"} and q.sections[0].title == {"fi": "Pulssi", "en": "Pulssi"}


def test_empty_formatted_columns_and_rows_far_away_are_not_counted() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in (["type", "name", "label::English (en)"], ["text", "t", "What?"]):
        ws.append(row)
    fill = PatternFill("solid", fgColor="FFFF00")
    ws.cell(1, 400).fill = fill  # a formatted, empty column far to the right
    ws.cell(4000, 1).fill = fill  # and a formatted, empty row far below
    out = io.BytesIO()
    wb.save(out)
    q, _ = imported(out.getvalue())
    assert [x.code for x in q.questions()] == ["t"]


def test_or_other_adds_the_other_choice_and_its_text_question_in_every_language() -> None:
    data = workbook(
        [
            ["type", "name", "label::Suomi (fi)", "label::English (en)"],
            ["select_one yn or_other", "pick", "Valitse", "Pick"],
            ["select_multiple yn or_other", "many", "Valitse monta", "Pick many"],
        ],
        [
            ["list_name", "name", "label::Suomi (fi)", "label::English (en)"],
            ["yn", "1", "Kyllä", "Yes"],
            ["yn", "2", "Ei", "No"],
        ],
    )
    q, _ = imported(data)
    pick, pick_other, _many, many_other = q.questions()
    assert isinstance(pick, SingleChoice) and pick.choices[-1].code == "other"
    assert pick.choices[-1].label == {"fi": "Muu", "en": "Other"}
    assert isinstance(pick_other, ShortText) and pick_other.code == "pick_other"
    assert pick_other.show_if == "pick == 'other'" and pick_other.text["en"] == "Please specify"
    assert pick_other.text["fi"] == "Tarkenna"
    assert many_other.show_if == "many contains 'other'"
    # A list that already has "other" cannot get a second one.
    clash = workbook(
        [["type", "name", "label::English (en)"], ["select_one yn or_other", "pick", "Pick"]],
        [["list_name", "name", "label::English (en)"], ["yn", "other", "Other"], ["yn", "x", "X"]],
    )
    assert any("already has a choice 'other'" in p for p in problems(clash))


def test_messages_hints_appearance_default_and_one_sided_constraints_are_carried_over(tmp_path: Path) -> None:
    data = workbook(
        [
            [
                "type",
                "name",
                "label::English (en)",
                "label::Suomi (fi)",
                "hint::English (en)",
                "hint::Suomi (fi)",
                "constraint",
                "constraint_message::English (en)",
                "constraint_message::Suomi (fi)",
                "required",
                "required_message::English (en)",
                "required_message::Suomi (fi)",
                "appearance",
                "default",
            ],
            [
                "integer",
                "age",
                "Age?",
                "Ikä?",
                "In years",
                "Vuosina",
                ". > 14",
                "Over 14 only",
                "Yli 14",
                "yes",
                "Tell us",
                "Kerro",
                "",
                "30",
            ],
            ["select_one yn", "yes_no", "Yes?", "Kyllä?", "", "", "", "", "", "", "", "", "horizontal", "1"],
            ["select_one yn", "drop", "Pick", "Valitse", "", "", "", "", "", "", "", "", "minimal"],
            ["select_multiple yn", "scale", "Agree?", "Samaa?", "", "", "", "", "", "", "", "", "likert", "1 2"],
            ["text", "long", "Tell", "Kerro", "", "", "string-length(.) < 51", "", "", "", "", "", "multiline"],
        ],
        [
            ["list_name", "name", "label::English (en)", "label::Suomi (fi)"],
            ["yn", "1", "Yes", "Kyllä"],
            ["yn", "2", "No", "Ei"],
        ],
    )
    q, _ = imported(data)
    age, yes_no, drop, scale, long = q.questions()
    assert isinstance(age, Number) and (age.min, age.max) == (15, None) and age.default == "30"
    assert age.help == {"en": "In years", "fi": "Vuosina"} and age.required
    assert age.constraint_message == {"en": "Over 14 only", "fi": "Yli 14"}
    assert age.required_message == {"en": "Tell us", "fi": "Kerro"}
    assert (yes_no.layout, drop.layout, scale.layout) == ("horizontal", "minimal", "likert")
    assert yes_no.default == "1" and scale.default == "1 2"
    assert isinstance(long, LongText) and long.max_length == 50
    exported = to_xlsform(q, "1")
    assert canonical_json(from_xlsform(exported, complete=False)) == canonical_json(q)
    path = tmp_path / "carried.xlsx"
    path.write_bytes(exported)
    xform = convert(xlsform=str(path), validate=False).xform
    assert "Over 14 only" in xform and "Kerro" in xform and 'appearance="minimal"' in xform


def test_piping_refers_to_earlier_answers_only() -> None:
    fine = workbook(
        [
            ["type", "name", "label::English (en)", "hint::English (en)"],
            ["text", "name", "Name?"],
            ["integer", "age", "How old are you, ${name}?", "${name}, in years"],
        ]
    )
    q, _ = imported(fine)
    assert q.questions()[1].text["en"] == "How old are you, ${name}?"
    later = workbook(
        [
            ["type", "name", "label::English (en)"],
            ["integer", "age", "How old are you, ${name}?"],
            ["text", "name", "Name?"],
        ]
    )
    assert any(
        "row 2 (question age): text: ${name} shows an answer, but 'name' is not an earlier question" in p
        for p in problems(later)
    )


def test_a_default_that_is_not_a_possible_answer_is_refused() -> None:
    data = workbook([["type", "name", "label::English (en)", "default"], ["integer", "n", "N?", "many"]])
    assert any("row 2 (question n): default: 'many' is not a possible answer" in p for p in problems(data))


OUT_OF_SCOPE = [
    ("geopoint", "type 'geopoint' is not supported: locations (geopoint, geotrace, geoshape) are not"),
    ("date", "type 'date' is not supported: date and time questions are not; ask for a year"),
    ("image", "type 'image' is not supported: photo, audio, video and file answers are not"),
    ("calculate", "type 'calculate' is not supported: calculations are not"),
    ("range", "type 'range' is not supported: range questions are not; use a select_one with question_type rating"),
    ("begin repeat", "type 'begin repeat' is not supported: repeats are not; ask each item as a question"),
    ("select_one_from_file places.csv", "choices from a file are not; put the choices on the choices sheet"),
    ("select_one_external yn", "choices from a file are not"),
    ("rank yn", "ranking (rank) are not; use select_multiple with a maximum"),
    ("acknowledge", "acknowledge questions are not"),
    ("barcode", "barcodes are not"),
]


@pytest.mark.parametrize(("kind", "expected"), OUT_OF_SCOPE)
def test_out_of_scope_types_are_refused_naming_the_feature_and_what_to_do(kind: str, expected: str) -> None:
    data = workbook([["type", "name", "label::English (en)"], ["text", "ok", "OK?"], [kind, "x", "X"]], YES_NO)
    found = problems(data)
    assert any(p.startswith("form.xlsx: sheet survey, row 3: column type: ") and expected in p for p in found), found


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (
            "choice_filter",
            "name = ${ok}",
            "column choice_filter: choice filters are not supported: use one choice list",
        ),
        ("calculation", "1 + 1", "column calculation: calculations are not supported"),
        ("media::image", "a.jpg", "column media::image: media are not supported: describe it in the label"),
        ("repeat_count", "3", "column repeat_count: repeats are not supported"),
        ("read_only", "yes", "column read_only: read-only questions are not supported"),
        ("appearance", "w2", "column appearance: appearance 'w2' is not supported on a text question"),
        ("constraint", "regex(., '^[0-9]+$')", "column constraint: only ranges are supported"),
    ],
)
def test_out_of_scope_columns_are_refused_where_a_row_uses_them(column: str, value: str, expected: str) -> None:
    data = workbook([["type", "name", "label::English (en)", column], ["text", "ok", "OK?", value]])
    found = problems(data)
    assert any(p.startswith(f"form.xlsx: sheet survey, row 2: {expected}") for p in found), found


def test_every_problem_is_reported_at_once_one_message_each() -> None:
    data = workbook(
        [
            ["type", "name", "label::English (en)", "choice_filter"],
            ["geopoint", "where", "Where?"],
            ["begin_repeat", "kids", "Kids"],
            ["text", "kid", "Name?", "x"],
            ["end_repeat", "kids"],
        ]
    )
    found = problems(data)
    rows = sorted(p.split(":")[1].strip() for p in found)
    assert rows == ["sheet survey, row 2", "sheet survey, row 3", "sheet survey, row 4"], found


def test_unknown_extra_columns_are_listed_as_ignored() -> None:
    data = workbook([["type", "name", "label::English (en)", "$kuid", "xml"], ["text", "ok", "OK?", "abc1", "x"]])
    _, summary = imported(data)
    assert summary.ignored_columns == ["sheet survey, column $kuid", "sheet survey, column xml"]


def test_metadata_rows_are_skipped_and_listed() -> None:
    data = workbook(
        [["type", "name", "label::English (en)"], ["start", "start"], ["deviceid", "d"], ["text", "t", "T"]]
    )
    q, summary = imported(data)
    assert [x.code for x in q.questions()] == ["t"]
    assert summary.skipped_rows == ["sheet survey, row 2: start", "sheet survey, row 3: deviceid"]


def test_the_kobo_style_form_round_trips_through_the_export_and_pyxform_converts_it(tmp_path: Path) -> None:
    q, summary = imported(kobo_form(), "kouvola_pulse.xlsx")
    assert q.slug == "kouvola-pulse" and set(q.languages) == {"en", "fi"}
    assert summary.languages == {"en": "English (en)", "fi": "Suomi (fi)"}
    assert [x.code for x in q.questions()] == ["area", "area_other", "age", "likes"]
    back = from_xlsform(to_xlsform(q, "1"), complete=False)
    assert canonical_json(back) == canonical_json(q)
    path = tmp_path / "kouvola-pulse.xlsx"
    path.write_bytes(to_xlsform(q, "1"))
    xform = convert(xlsform=str(path), validate=False).xform
    assert "jr:constraintMsg" in xform and "jr:requiredMsg" in xform
    assert "Sinun pitää olla vähintään 15" in xform and "Valitse alue" in xform
    assert 'appearance="horizontal"' in xform
    assert '<output value=" /data/' in xform  # ${area} piping became an XForm output


def _with_saved_value(data: bytes, cell: str, saved: str, kind: str) -> bytes:
    """The workbook as a spreadsheet program saves it: the formula in ``cell`` with the value it computed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                start = text.index(f'<c r="{cell}"')
                end = text.index("</c>", start)
                formula = text[start:end].replace("<v></v>", f"<v>{saved}</v>").replace(">", f' t="{kind}">', 1)
                content = (text[:start] + formula + text[end:]).encode()
            target.writestr(item, content)
    return out.getvalue()


def test_a_formula_is_read_as_the_value_the_spreadsheet_saved_and_refused_without_one() -> None:
    data = workbook([["type", "name", "label::English (en)", "required"], ["text", "t", "T?", "=TRUE()"]])
    assert any("row 2: column required: formulas are not supported" in p for p in problems(data))
    q, _ = imported(_with_saved_value(data, "D2", "1", "b"))
    assert q.questions()[0].required


def test_older_shapes_bind_columns_upper_case_codes_and_table_lists_of_other_questions() -> None:
    # tutorial.xls (bind:relevant), widgets.xls (bind:jr:constraintMsg), case_insensitivity.xlsx (label::EN),
    # table-list.xls (a table-list group of select_multiple rows).
    data = workbook(
        [
            ["type", "name", "label::EN", "constraint", "bind:jr:constraintMsg::EN", "bind:relevant", "appearance"],
            ["integer", "n", "N?", ". <= 5", "Five at most"],
            ["begin group", "faces", "Faces", "", "", "${n} > 1", "table-list"],
            ["select_multiple  yn", "brian", "Brian"],
            ["select_multiple yn", "michael", "Michael"],
            ["end group"],
        ],
        [["list_name", "name", "label::EN"], ["yn", "1", "Yes"], ["yn", "2", "No"]],
        [["default_language"], ["EN"]],
    )
    q, _ = imported(data)
    n = q.questions()[0]
    assert q.source_language == "en" and n.constraint_message == {"en": "Five at most"}
    faces = q.sections[1]
    assert faces.id == "faces" and faces.show_if == "n > 1"
    assert [(x.code, type(x).__name__) for x in faces.questions] == [
        ("brian", "MultipleChoice"),
        ("michael", "MultipleChoice"),
    ]
