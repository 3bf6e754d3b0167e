"""Numbers, money and dates spoken in English and Polish; prompt templates; working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ivr import words
from ivr.template import MissingVariable, render
from ivr.timecond import TimeSpecError, is_open, parse_days


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "spoken"),
    [
        (
            "1234.56",
            "PLN",
            "pl",
            "tysiąc dwieście trzydzieści cztery złote i pięćdziesiąt sześć groszy",
        ),
        ("2", "PLN", "pl", "dwa złote"),
        ("5", "PLN", "pl", "pięć złotych"),
        ("12", "PLN", "pl", "dwanaście złotych"),
        ("22.01", "PLN", "pl", "dwadzieścia dwa złote i jeden grosz"),
        ("1", "PLN", "pl", "jeden złoty"),
        ("2000", "EUR", "pl", "dwa tysiące euro"),
        ("5000", "USD", "pl", "pięć tysięcy dolarów"),
        ("2", "UAH", "pl", "dwie hrywny"),
        (
            "1234.56",
            "PLN",
            "en",
            "one thousand two hundred thirty-four zlotys and fifty-six groszy",
        ),
        ("1.01", "USD", "en", "one dollar and one cent"),
        ("1000000", "GBP", "en", "one million pounds"),
    ],
)
def test_money(amount: str, currency: str, lang: str, spoken: str) -> None:
    assert words.money(Decimal(amount), currency, lang) == spoken


@pytest.mark.parametrize(
    ("day", "lang", "spoken"),
    [
        (date(2026, 3, 15), "pl", "piętnastego marca dwa tysiące dwudziestego szóstego roku"),
        (date(2000, 1, 1), "pl", "pierwszego stycznia dwutysięcznego roku"),
        (
            date(2031, 12, 22),
            "pl",
            "dwudziestego drugiego grudnia dwa tysiące trzydziestego pierwszego roku",
        ),
        (date(2026, 3, 15), "en", "March fifteenth, two thousand twenty-six"),
        (date(2026, 11, 23), "en", "November twenty-third, two thousand twenty-six"),
    ],
)
def test_dates(day: date, lang: str, spoken: str) -> None:
    assert words.date_words(day, lang) == spoken


def test_numbers_and_digits() -> None:
    assert words.number(0, "pl") == "zero"
    assert words.number(1_002_014, "pl") == "milion dwa tysiące czternaście"
    assert words.number(215, "en") == "two hundred fifteen"
    assert words.digits("4711", "en") == "four seven one one"


def test_template_speaks_values_by_type() -> None:
    values = {
        "debtor.balance": Decimal("2.50"),
        "debtor.due_date": date(2026, 5, 3),
        "n": 3,
        "acc": "AC12",
        "crm": {"x": {"y": "deep"}},
    }
    text = "{debtor.balance}, {debtor.due_date}, {n}, {acc:digits}, {crm.x.y}"
    assert render(text, values, "pl", "PLN") == (
        "dwa złote i pięćdziesiąt groszy, trzeciego maja dwa tysiące dwudziestego szóstego roku, "
        "trzy, jeden dwa, deep"
    )
    with pytest.raises(MissingVariable):
        render("{debtor.first_name}", values, "en", "PLN")


def test_working_hours_holidays_and_time_zones() -> None:
    schedule = {"mon-fri": "08:00-20:00", "sat": ["09:00-11:00", "12:00-14:00"]}
    holidays = ["12-25", "2026-04-06"]
    # Monday 2026-11-23 07:30 UTC is 08:30 in Warsaw (open), 02:30 in New York (closed)
    monday = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    assert is_open(monday, "Europe/Warsaw", schedule, holidays)
    assert not is_open(monday, "America/New_York", schedule, holidays)
    assert not is_open(datetime(2026, 12, 25, 10, tzinfo=UTC), "Europe/Warsaw", schedule, holidays)
    assert not is_open(datetime(2026, 4, 6, 10, tzinfo=UTC), "Europe/Warsaw", schedule, holidays)
    assert is_open(datetime(2026, 11, 28, 9, tzinfo=UTC), "Europe/Warsaw", schedule)  # Sat 10:00
    assert not is_open(datetime(2026, 11, 28, 10, 30, tzinfo=UTC), "Europe/Warsaw", schedule)
    assert not is_open(datetime(2026, 11, 29, 10, tzinfo=UTC), "Europe/Warsaw", schedule)  # Sun
    assert parse_days("fri-mon") == {4, 5, 6, 0}
    with pytest.raises(TimeSpecError):
        parse_days("monday")
