"""Personal data in free text: names after greetings, phone numbers, email addresses, identity codes."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_service.personal_data import (
    CHECK_CHARACTERS,
    DataKind,
    find_personal_data,
    is_email,
    is_phone,
    redact,
)


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind.value, text[f.start : f.end]) for f in find_personal_data(text)]


def identity_code(day: date, sign: str, individual: int) -> str:
    digits = f"{day:%d%m%y}{individual:03d}"
    return f"{day:%d%m%y}{sign}{individual:03d}{CHECK_CHARACTERS[int(digits) % 31]}"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hei Matti, kävin eilen terveysasemalla.", "Matti"),
        ("hei hei Liisa! Kiitos avusta.", "Liisa"),
        ("Moi Pekka Virtanen, terveisiä", "Pekka Virtanen"),
        ("Hej Anna, tack för hjälpen.", "Anna"),
        ("Hej herr Andersson!", "Andersson"),
        ("Dear John, thank you.", "John"),
        ("Dear Mr. Smith, hello", "Smith"),
        ("Thank you Aisha for helping my son.", "Aisha"),
    ],
)
def test_names_after_greetings_are_found(text: str, name: str) -> None:
    assert found(text) == [("name", name)]


@pytest.mark.parametrize(
    "text",
    [
        "Hei, olen asunut täällä viisi vuotta.",  # greeting without a name
        "Hyvä vastaanottaja, kirjasto on hieno.",  # lower-case word after the greeting
        "Dear Sir, the bus was late.",
        "Hei kaikki!",
        "Heidi ja Matti auttoivat.",  # names but no greeting before them
        "Hello everyone, the library is great.",
    ],
)
def test_words_after_greetings_that_are_not_names_are_left_alone(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "number",
    [
        "040-123 4567",
        "040 1234567",
        "0401234567",
        "050 123 45 67",
        "+358 40 123 4567",
        "+358401234567",
        "+358 (0)40 123 4567",
        "00358 40 1234567",
        "(09) 310 1234",
        "09 310 1234",
    ],
)
def test_phone_numbers_are_found(number: str) -> None:
    assert found(f"Soittakaa numeroon {number}, kiitos.") == [("phone", number)]


@pytest.mark.parametrize(
    "text",
    [
        "Kävin siellä 2023-01-05 klo 10:30.",
        "Maksoin 100 000 euroa vuonna 2019.",
        "Bussi 12 oli 15 minuuttia myöhässä.",
        "Postinumero 45100 Kouvola",
        "Kello 10.30-11.45",
    ],
)
def test_dates_amounts_and_short_numbers_are_not_phone_numbers(text: str) -> None:
    assert found(text) == []


def test_email_addresses_are_found() -> None:
    text = "Write to anna.berg+kunta@example.fi or matti_v@posti.example.com."
    assert found(text) == [("email", "anna.berg+kunta@example.fi"), ("email", "matti_v@posti.example.com")]


@pytest.mark.parametrize(
    ("code", "born"),
    [
        ("131052-308T", "1900s, the classic example"),
        ("010594Y9021", "1900s, a 2023 sign"),
        ("150650U4564", "1900s, a 2023 sign"),
        ("020102A9807", "2000s"),
        ("280223F123K", "2000s, a 2023 sign"),
        ("311299+1236", "1800s"),
        ("010100-002H", "lowest individual number"),
        ("131052-308t", "typed in lower case"),
    ],
)
def test_identity_codes_with_a_valid_check_character_are_found(code: str, born: str) -> None:
    assert found(f"Henkilötunnukseni on {code}.") == [("identity_code", code)], born


@pytest.mark.parametrize(
    "code",
    [
        "131052-308X",  # wrong check character
        "310299-123A",  # no 31 February... and a wrong check character
        "300299A1234",  # 30 February 2099 does not exist
        "131052G308T",  # G is not a century sign
    ],
)
def test_identity_codes_that_do_not_check_out_are_not_reported(code: str) -> None:
    assert ("identity_code", code) not in found(f"koodi {code} tässä")


@given(
    day=st.dates(min_value=date(1850, 1, 1), max_value=date(2099, 12, 31)),
    individual=st.integers(min_value=2, max_value=999),
    data=st.data(),
)
def test_every_valid_identity_code_is_found(day: date, individual: int, data: st.DataObject) -> None:
    signs = "+" if day.year < 1900 else "-UVWXY" if day.year < 2000 else "ABCDEF"
    code = identity_code(day, data.draw(st.sampled_from(signs)), individual)
    assert found(f"hetu: {code}") == [("identity_code", code)]


def test_identity_code_is_not_also_reported_as_a_phone_number() -> None:
    code = identity_code(date(1990, 1, 1) + timedelta(days=3), "-", 123)
    assert found(f"{code} 040-123 4567") == [("identity_code", code), ("phone", "040-123 4567")]


def test_redaction_replaces_spans_and_counts_kinds_only() -> None:
    text = "Hei Matti, soita 040-123 4567 tai mailaa matti@example.fi. Hetu 131052-308T."
    redacted, removed = redact(text)
    assert redacted == "Hei [name], soita [phone] tai mailaa [email]. Hetu [identity code]."
    assert removed == {DataKind.NAME: 1, DataKind.PHONE: 1, DataKind.EMAIL: 1, DataKind.IDENTITY_CODE: 1}


def test_redaction_of_arabic_text_keeps_the_rest() -> None:
    text = "مرحبا، رقمي 0451234567 شكرا"
    assert redact(text)[0] == "مرحبا، رقمي [phone] شكرا"


@given(st.text(alphabet=st.sampled_from(list("Hei Matti,040-123 4567@a.fi+358-UA131052308T\n")), max_size=80))
def test_redacted_text_holds_nothing_more_to_redact(text: str) -> None:
    assert find_personal_data(redact(text)[0]) == []


def test_contacts_are_checked_as_a_whole() -> None:
    assert is_email("resident@example.fi") and not is_email("resident@example") and not is_email("a b@example.fi")
    assert is_phone("040 123 4567") and is_phone("+358401234567")
    assert not is_phone("12345") and not is_phone("call 040 123 4567") and not is_phone("401234567")


@pytest.mark.parametrize("blank", [" ", "\t"])
def test_a_long_run_of_blanks_after_a_greeting_is_searched_in_linear_time(blank: str) -> None:
    # the greeting pattern used to backtrack quadratically over such runs: 50,000 blanks took about 40 s
    text = "hei" + blank * 50_000 + "!"
    start = time.perf_counter()
    assert find_personal_data(text * 3) == []
    assert time.perf_counter() - start < 2
    for greeting in ("Hei ,  Matti", "Hei! Matti", "Hei,\tMatti", "Hei Matti"):
        [finding] = find_personal_data(greeting)
        assert (finding.kind, greeting[finding.start : finding.end]) == (DataKind.NAME, "Matti")
