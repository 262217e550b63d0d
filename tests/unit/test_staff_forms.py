"""The staff forms' conversions: days typed the Finnish way or as ISO, short names made from titles."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_service.web import i18n
from survey_service.web.forms import SLUG, Field, Form, FormRefused, Invalid, day, slug_of, year


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31.12.2027", date(2027, 12, 31)),
        ("1.3.2027", date(2027, 3, 1)),
        ("31/12/2027", date(2027, 12, 31)),
        ("2027-12-31", date(2027, 12, 31)),
        ("", None),
    ],
)
def test_day_is_read_the_finnish_way_and_as_iso(typed: str, expected: date | None) -> None:
    assert day(typed) == expected


@pytest.mark.parametrize(
    "typed", ["31.13.2027", "30.2.2027", "2027-02-30", "12/31/2027", "31.12/2027x", "huomenna", "31.12.27"]
)
def test_a_day_that_is_not_one_is_refused_in_the_page_language(typed: str) -> None:
    i18n.use_staff_language("fi")
    try:
        with pytest.raises(Invalid) as caught:
            day(typed)
    finally:
        i18n.use_staff_language("en")
    assert "31.12.2027" in caught.value.message and "Enter" not in caught.value.message


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_every_day_reads_back_from_its_finnish_form(d: date) -> None:
    assert day(f"{d.day}.{d.month}.{d.year}") == d == day(d.isoformat())


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kysely 2027", "kysely-2027"),
        ("Hyvät väestösuhteet – kysely 2027", "hyvat-vaestosuhteet-kysely-2027"),
        ("Åbo_Enkät 2027", "abo-enkat-2027"),
        ("  Kaikkien  Kouvola!  ", "kaikkien-kouvola"),
    ],
)
def test_short_names_are_made_from_titles_with_finnish_letters_transliterated(name: str, slug: str) -> None:
    assert slug_of(name) == slug


@given(st.text(max_size=200))
def test_a_made_short_name_is_valid_or_empty(name: str) -> None:
    made = slug_of(name)
    assert made == "" or len(made) < 2 or SLUG.match(made)


def test_a_form_names_every_bad_field_with_its_own_message() -> None:
    form = Form((Field("year", year), Field("closes", day), Field("slug", required="Enter a short name.")))
    with pytest.raises(FormRefused) as caught:
        form.read({"year": "27", "closes": "31.12.2027"})
    assert [e.item for e in caught.value.errors] == ["year", "slug"]
    assert form.read({"year": "2027", "closes": "31.12.2027", "slug": "k"}) == {
        "year": 2027,
        "closes": date(2027, 12, 31),
        "slug": "k",
    }
