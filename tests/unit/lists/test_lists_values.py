"""Amounts and dates as admins type them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.lists.values import ValueProblem, parse_amount, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 240,50", "1240.50"),
        ("1\u00a0240,50", "1240.50"),
        ("1.240,50", "1240.50"),
        ("1,240.50", "1240.50"),
        ("1240.5", "1240.50"),
        ("1240,5", "1240.50"),
        ("12,345,678", "12345678.00"),
        ("1.234.567,89", "1234567.89"),
        ("1 240 000", "1240000.00"),
        ("-15,00", "-15.00"),
        ("0,99", "0.99"),
        ("  77  ", "77.00"),
    ],
)
def test_amount_formats(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,240", "1.240", "12.500"])
def test_single_separator_with_three_digits_is_ambiguous(text: str) -> None:
    with pytest.raises(ValueProblem, match="ambiguous"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("abc", "not a number"),
        ("1 24,50", "three digits"),
        ("1,2,3", "three digits"),
        ("1,234.567", "two decimal places"),
        ("12,", "ends with a separator"),
        ("10 zł", "not a number"),
    ],
)
def test_bad_amounts_say_why(text: str, why: str) -> None:
    with pytest.raises(ValueProblem, match=why):
        parse_amount(text)


def _group(digits: str, separator: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


@given(
    cents=st.integers(min_value=0, max_value=99_999_999_999),
    style=st.sampled_from(["plain.", "plain,", "space,", "dot,", "comma.", "nbsp,"]),
    negative=st.booleans(),
)
def test_every_unambiguous_rendering_reads_back(cents: int, style: str, negative: bool) -> None:
    integer, fraction = divmod(cents, 100)
    digits = str(integer)
    separator = {"plain.": "", "plain,": "", "space,": " ", "dot,": ".", "comma.": ",",
                 "nbsp,": "\u00a0"}[style]  # fmt: skip
    text = f"{_group(digits, separator)}{style[-1]}{fraction:02d}"
    if negative:
        text = "-" + text
    expected = Decimal(cents) / 100 * (-1 if negative else 1)
    assert parse_amount(text) == expected


@given(st.text(alphabet="0123456789.,- ", max_size=12))
def test_amount_parser_never_crashes(text: str) -> None:
    try:
        value = parse_amount(text)
    except ValueProblem:
        return
    assert value == value.quantize(Decimal("0.01"))


def test_dates() -> None:
    assert parse_date("2025-03-31") == date(2025, 3, 31)
    assert parse_date("31.03.2025") == date(2025, 3, 31)
    assert parse_date("1.3.2025") == date(2025, 3, 1)
    with pytest.raises(ValueProblem, match="does not exist"):
        parse_date("31.02.2025")
    with pytest.raises(ValueProblem, match="YYYY-MM-DD"):
        parse_date("03/31/2025")
