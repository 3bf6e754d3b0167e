"""Phone numbers: the fast paths must give exactly what phonenumbers gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.lists.phoneplan import pattern_trailing_free
from dialer.lists.phones import PhoneError, PhoneInfo, PhoneNormaliser, slow_reference


@pytest.mark.parametrize(
    "raw",
    ["+48 501 234 567", "501234567", "501-234-567", "(+48) 501 234 567", "0048501234567",
     "+48501234567", " 501 234 567 "],
)  # fmt: skip
def test_polish_mobile_formats(raw: str) -> None:
    info = PhoneNormaliser("PL").normalise(raw)
    assert info == PhoneInfo("+48501234567", "mobile", "Europe/Warsaw")


def test_polish_landline() -> None:
    info = PhoneNormaliser("PL").normalise("22 123 45 67")
    assert (info.e164, info.kind) == ("+48221234567", "landline")


def test_ukrainian_national_number_drops_the_trunk_zero() -> None:
    info = PhoneNormaliser("UA").normalise("067 123 4567")
    assert info == PhoneInfo("+380671234567", "mobile", "Europe/Kyiv")
    assert PhoneNormaliser("PL").normalise("+380 67 123 4567").e164 == "+380671234567"


def test_region_argument_overrides_the_default() -> None:
    assert PhoneNormaliser("PL").normalise("0671234567", "UA").e164 == "+380671234567"


def test_number_spanning_several_zones_has_no_zone() -> None:
    info = PhoneNormaliser("US").normalise("+1 800 555 0199")  # toll free: whole country
    assert info.timezone is None or "/" in info.timezone


@pytest.mark.parametrize(
    ("raw", "why"),
    [("12345", "invalid phone number"), ("call me", "not a phone number"), ("", "empty"),
     ("+999 123 456 789", "phone number")],
)  # fmt: skip
def test_invalid_numbers_say_why(raw: str, why: str) -> None:
    with pytest.raises(PhoneError, match=why):
        PhoneNormaliser("PL").normalise(raw)


@pytest.mark.parametrize(
    ("pattern", "length", "free"),
    [
        (r"(?:45|5[0137]|6[069]|7[2389]|88)\d{7}", 9, 7),
        (r"[1-9]\d{6}(?:\d{2})?", 9, 8),
        (r"[1-9]\d{6}(?:\d{2})?", 7, 6),
        (r"9\d{3}(?:\d{2})?", 6, 5),
        (r"21(?:1[013-5]|2\d|3[1-9])\d{5}", 9, 5),
        (r"8\d{2}[0-4]", 4, 0),
        (r"800\d{6,7}", 10, 7),
    ],
)
def test_trailing_free_digits_of_metadata_patterns(pattern: str, length: int, free: int) -> None:
    assert pattern_trailing_free(pattern, length) == free


def _reference(raw: str, region: str) -> PhoneInfo | None:
    try:
        return slow_reference(raw, region)
    except PhoneError:
        return None


def _ours(normaliser: PhoneNormaliser, raw: str, region: str) -> PhoneInfo | None:
    try:
        return normaliser.normalise(raw, region)
    except PhoneError:
        return None


SHARED = PhoneNormaliser("PL")  # one cache across examples, as in a real import


@settings(max_examples=800, deadline=None)
@given(
    prefix=st.sampled_from(
        ["+48", "0048", "", "+380", "0", "+1", "+44", "+49", "+7", "+420", "00"]
    ),
    digits=st.text(alphabet="0123456789", min_size=3, max_size=12),
    separator=st.sampled_from(["", " ", "-"]),
    region=st.sampled_from(["PL", "UA", "US", "GB", "DE"]),
)
def test_fast_paths_agree_with_phonenumbers(
    prefix: str, digits: str, separator: str, region: str
) -> None:
    raw = prefix + separator + separator.join([digits[:3], digits[3:6], digits[6:]]).strip("- ")
    assert _ours(SHARED, raw, region) == _reference(raw, region)


@settings(max_examples=300, deadline=None)
@given(
    country=st.integers(min_value=1, max_value=999),
    digits=st.text(alphabet="0123456789", min_size=4, max_size=13),
)
def test_any_country_code_agrees_with_phonenumbers(country: int, digits: str) -> None:
    raw = f"+{country}{digits}"
    assert _ours(SHARED, raw, "PL") == _reference(raw, "PL")
