"""Checking a resident's message, receipt codes, and the retention date arithmetic."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_service.domain.feedback.services import (
    RECEIPT_ALPHABET,
    Contact,
    Messages,
    check_submission,
    months_before,
    new_receipt,
    normalise_receipt,
    receipt_hash,
)
from survey_service.errors import BadRequest


def problems(**fields: object) -> dict[str, str]:
    values: dict[str, object] = {"language": "fi", "topic": "school", "kind": "suggestion", "text": "Hyvä koulu."}
    with pytest.raises(BadRequest) as exc:
        check_submission(**{**values, **fields})  # type: ignore[arg-type]
    return {e.item: e.message for e in exc.value.errors}


def test_a_good_message_is_trimmed_and_anonymous() -> None:
    s = check_submission(language="ar", topic="health_social", kind="discrimination", text="  \r\nنص\r\nثان  ")
    assert (s.language, s.topic, s.kind, s.text, s.contact) == (
        "ar",
        "health_social",
        "discrimination",
        "نص\nثان",
        None,
    )


def test_every_problem_is_reported_at_once() -> None:
    assert problems(language="de", topic="parks", kind="complaint", text="   ") == {
        "language": Messages.LANGUAGE,
        "topic": Messages.TOPIC,
        "kind": Messages.KIND,
        "text": Messages.TEXT_EMPTY,
    }


def test_text_length_is_counted_after_trimming() -> None:
    assert check_submission(language="fi", topic="other", kind="other", text=" " * 10 + "x" * 5000 + "\n").text
    assert problems(text="x" * 5001) == {"text": Messages.TEXT_LONG}


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused(control: str) -> None:
    assert problems(text=f"hei{control}maailma") == {"text": Messages.TEXT_CONTROL}


def test_tabs_newlines_and_joiners_are_kept() -> None:
    text = "می\u200cخواهم\tsay\nthat"  # ZWNJ is part of Persian spelling
    assert check_submission(language="fa", topic="other", kind="other", text=text).text == text


@pytest.mark.parametrize(
    ("given_contact", "stored"),
    [
        ("resident@example.fi", Contact("email", "resident@example.fi")),
        (" 040-123 4567 ", Contact("phone", "0401234567")),
        ("+358 40 123 4567", Contact("phone", "+358401234567")),
    ],
)
def test_contact_is_an_email_address_or_a_phone_number(given_contact: str, stored: Contact) -> None:
    s = check_submission(language="fi", topic="other", kind="other", text="x", contact=given_contact)
    assert s.contact == stored


@pytest.mark.parametrize("contact", ["matti", "123", "matti@", "call me maybe", "040 123 4567 tai 050 1234567"])
def test_contact_that_is_neither_is_refused(contact: str) -> None:
    assert problems(contact=contact) == {"contact": Messages.CONTACT}


def test_the_reply_box_and_the_contact_go_together() -> None:
    assert problems(reply_wanted=True, contact="") == {"contact": Messages.CONTACT_MISSING}
    assert problems(reply_wanted=False, contact="resident@example.fi") == {"contact": Messages.CONTACT_UNWANTED}
    s = check_submission(language="fi", topic="other", kind="other", text="x", reply_wanted=False, contact=" ")
    assert s.contact is None


def test_receipt_codes_are_four_groups_of_crockford_base32() -> None:
    codes = {new_receipt() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){3}[0-9A-HJKMNP-TV-Z]{4}", c) for c in codes)


@given(st.text(alphabet=RECEIPT_ALPHABET, min_size=16, max_size=16))
def test_receipts_are_read_back_however_they_are_typed(raw: str) -> None:
    grouped = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    typed = " " + grouped.lower().replace("1", "l").replace("0", "o").replace("-", " ") + " "
    assert normalise_receipt(typed) == raw
    assert receipt_hash(typed) == receipt_hash(grouped)


@pytest.mark.parametrize("code", ["", "ABCD-EFGH-JKMN-PQR", "ABCD-EFGH-JKMN-PQRSU", "ABCD-EFGH-JKMN-PQRU", "../../x"])
def test_malformed_receipts_are_not_looked_up(code: str) -> None:
    assert receipt_hash(code) is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 28), 24, date(2024, 11, 28)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_months_before_keeps_the_day_or_takes_the_month_end(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected
