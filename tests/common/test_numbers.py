"""Numbers in the reader's language: shown with its separators, and read back exactly as typed."""

from decimal import Decimal

import pytest
from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

from common import numbers


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", ("1.234,5", "21,5 %", "1.234,5 €", "42 %")),
        ("en", ("1,234.5", "21.5 %", "1,234.5 EUR", "42 %")),
    ],
)
def test_numbers_percentages_and_money_follow_the_language(language, expected):
    shown = (
        numbers.format_number(Decimal("1234.5"), language=language),
        numbers.format_percent(Decimal("21.5"), language=language),
        numbers.format_currency(Decimal("1234.5"), "EUR", language=language),
        numbers.format_fraction(Decimal("0.4213"), language=language),
    )
    assert shown == expected


def test_other_currencies_show_their_code_after_the_amount():
    assert numbers.format_currency(Decimal("1200000"), "USD", language="es") == "1.200.000 USD"
    assert numbers.format_currency(Decimal("-5.5"), "USD", language="en") == "-5.5 USD"


def test_dates_follow_the_language():
    from datetime import date

    day = date(2026, 11, 23)
    with translation.override("es"):
        assert formats.date_format(day) == "23 nov 2026"
        assert formats.date_format(day, "MONTH_DAY_FORMAT") == "23 nov"
    with translation.override("en"):
        assert formats.date_format(day) == "Nov 23, 2026"


@pytest.mark.parametrize(
    ("language", "typed", "value"),
    [
        ("es", "21,5", Decimal("21.5")),
        ("es", "1.234,5", Decimal("1234.5")),
        ("es", "−3,25", Decimal("-3.25")),
        ("es", "1 234,5", Decimal("1234.5")),
        ("en", "21.5", Decimal("21.5")),
        ("en", "1,234.5", Decimal("1234.5")),
        ("en", ".5", Decimal("0.5")),
    ],
)
def test_typed_numbers_are_read_in_the_language(language, typed, value):
    assert numbers.parse_decimal(typed, language=language) == value


@pytest.mark.parametrize(
    ("language", "typed"),
    [("en", "21,5"), ("en", "1.234,5"), ("es", "21.5"), ("es", "1,234.5"), ("en", "1,23"), ("es", "abc")],
)
def test_the_other_separator_is_refused_never_misread(language, typed):
    with pytest.raises(ValueError):
        numbers.parse_decimal(typed, language=language)


decimals = st.decimals(
    min_value=Decimal("-99999999999999.9999"),
    max_value=Decimal("99999999999999.9999"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)


@given(value=decimals, language=st.sampled_from(["en", "es"]), grouping=st.booleans())
def test_format_then_parse_gives_the_value_back(value, language, grouping):
    shown = numbers.format_number(value, places=4, language=language, grouping=grouping)
    assert numbers.parse_decimal(shown, language=language) == value


@given(value=decimals, language=st.sampled_from(["en", "es"]))
def test_an_edit_form_shows_a_stored_value_that_reads_back_whole(value, language):
    from common.forms import LocalizedDecimalField

    field = LocalizedDecimalField(max_digits=18, decimal_places=4)
    with translation.override(language):
        assert field.clean(field.widget.format_value(value)) == value
