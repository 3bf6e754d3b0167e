"""English numbers, money and dates as words."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORD_IRREGULAR = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# currency: (major singular, major plural, minor singular, minor plural)
_CURRENCIES = {
    "PLN": ("zloty", "zlotys", "grosz", "groszy"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "USD": ("dollar", "dollars", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"),
    "UAH": ("hryvnia", "hryvnias", "kopiyka", "kopiyky"),
}


def _below_thousand(n: int) -> str:
    parts: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        parts.append(f"{_ONES[hundreds]} hundred")
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        parts.append(_TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    elif rest or not parts:
        parts.append(_ONES[rest])
    return " ".join(parts)


def number(n: int) -> str:
    if n < 0:
        return "minus " + number(-n)
    if n < 1000:
        return _below_thousand(n)
    parts: list[str] = []
    for scale, name in _SCALES:
        if n >= scale:
            count, n = divmod(n, scale)
            parts.append(f"{number(count)} {name}")
    if n:
        parts.append(_below_thousand(n))
    return " ".join(parts)


def ordinal(n: int) -> str:
    words = number(n)
    head, sep, last = words.rpartition("-") if "-" in words.split()[-1] else words.rpartition(" ")
    if last in _ORD_IRREGULAR:
        last = _ORD_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def money(amount: Decimal, currency: str) -> str:
    cents_total = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "minus " if cents_total < 0 else ""
    major, minor = divmod(abs(cents_total), 100)
    one, many, minor_one, minor_many = _CURRENCIES.get(
        currency, (currency, currency, "hundredth", "hundredths")
    )
    text = f"{sign}{number(major)} {one if major == 1 else many}"
    if minor:
        text += f" and {number(minor)} {minor_one if minor == 1 else minor_many}"
    return text


def date_words(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {ordinal(day.day)}, {number(day.year)}"
