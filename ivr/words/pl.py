"""Polish numbers, money and dates as words, with the nouns declined after the number."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

_ONES = [
    "zero",
    "jeden",
    "dwa",
    "trzy",
    "cztery",
    "pięć",
    "sześć",
    "siedem",
    "osiem",
    "dziewięć",
    "dziesięć",
    "jedenaście",
    "dwanaście",
    "trzynaście",
    "czternaście",
    "piętnaście",
    "szesnaście",
    "siedemnaście",
    "osiemnaście",
    "dziewiętnaście",
]
_TENS = [
    "_",
    "_",
    "dwadzieścia",
    "trzydzieści",
    "czterdzieści",
    "pięćdziesiąt",
    "sześćdziesiąt",
    "siedemdziesiąt",
    "osiemdziesiąt",
    "dziewięćdziesiąt",
]
_HUNDREDS = [
    "_",
    "sto",
    "dwieście",
    "trzysta",
    "czterysta",
    "pięćset",
    "sześćset",
    "siedemset",
    "osiemset",
    "dziewięćset",
]
# Ordinals in the genitive (as in "piętnastego marca dwa tysiące dwudziestego szóstego roku").
_ORD_ONES = [
    "_",
    "pierwszego",
    "drugiego",
    "trzeciego",
    "czwartego",
    "piątego",
    "szóstego",
    "siódmego",
    "ósmego",
    "dziewiątego",
    "dziesiątego",
    "jedenastego",
    "dwunastego",
    "trzynastego",
    "czternastego",
    "piętnastego",
    "szesnastego",
    "siedemnastego",
    "osiemnastego",
    "dziewiętnastego",
]
_ORD_TENS = [
    "_",
    "_",
    "dwudziestego",
    "trzydziestego",
    "czterdziestego",
    "pięćdziesiątego",
    "sześćdziesiątego",
    "siedemdziesiątego",
    "osiemdziesiątego",
    "dziewięćdziesiątego",
]
_ORD_HUNDREDS = [
    "_",
    "setnego",
    "dwusetnego",
    "trzechsetnego",
    "czterechsetnego",
    "pięćsetnego",
    "sześćsetnego",
    "siedemsetnego",
    "osiemsetnego",
    "dziewięćsetnego",
]
_MONTHS = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
]
_SCALES = (
    (10**9, ("miliard", "miliardy", "miliardów")),
    (10**6, ("milion", "miliony", "milionów")),
    (1000, ("tysiąc", "tysiące", "tysięcy")),
)
# currency: (major forms one/few/many, minor forms one/few/many)
_CURRENCIES = {
    "PLN": (("złoty", "złote", "złotych"), ("grosz", "grosze", "groszy")),
    "EUR": (("euro", "euro", "euro"), ("cent", "centy", "centów")),
    "USD": (("dolar", "dolary", "dolarów"), ("cent", "centy", "centów")),
    "GBP": (("funt", "funty", "funtów"), ("pens", "pensy", "pensów")),
    "UAH": (("hrywna", "hrywny", "hrywien"), ("kopiejka", "kopiejki", "kopiejek")),
}
_FEMININE = {"UAH"}


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """Polish plural: 1 złoty, 2-4 (but not 12-14) złote, otherwise złotych."""
    if n == 1:
        return forms[0]
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return forms[1]
    return forms[2]


def _below_thousand(n: int) -> str:
    parts: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        parts.append(_HUNDREDS[hundreds])
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        parts.append(_TENS[tens])
        if ones:
            parts.append(_ONES[ones])
    elif rest or not parts:
        parts.append(_ONES[rest])
    return " ".join(parts)


def number(n: int) -> str:
    if n < 0:
        return "minus " + number(-n)
    if n < 1000:
        return _below_thousand(n)
    parts: list[str] = []
    for scale, forms in _SCALES:
        if n >= scale:
            count, n = divmod(n, scale)
            # "tysiąc", not "jeden tysiąc"
            parts.append(forms[0] if count == 1 else f"{number(count)} {plural(count, forms)}")
    if n:
        parts.append(_below_thousand(n))
    return " ".join(parts)


def _feminine(words: str) -> str:
    """Feminine nouns take "jedna"/"dwie" ("dwie hrywny")."""
    tokens = words.split()
    if tokens and tokens[-1] == "dwa":
        tokens[-1] = "dwie"
    if tokens == ["jeden"]:
        tokens = ["jedna"]
    return " ".join(tokens)


def ordinal_genitive(n: int) -> str:
    """Only the last hundreds/tens/ones become ordinal: 2026 → dwa tysiące dwudziestego szóstego."""
    thousands, rest = divmod(n, 1000)
    parts: list[str] = []
    if thousands:
        if rest == 0:
            prefix = "" if thousands == 1 else {2: "dwu", 3: "trzy", 4: "cztero"}.get(thousands, "")
            if thousands == 1 or prefix:
                return prefix + "tysięcznego"
        parts.append(number(thousands * 1000))
    hundreds, below = divmod(rest, 100)
    if hundreds:
        parts.append(_ORD_HUNDREDS[hundreds] if below == 0 else _HUNDREDS[hundreds])
    if below >= 20:
        tens, ones = divmod(below, 10)
        parts.append(_ORD_TENS[tens])
        if ones:
            parts.append(_ORD_ONES[ones])
    elif below:
        parts.append(_ORD_ONES[below])
    return " ".join(parts)


def money(amount: Decimal, currency: str) -> str:
    grosze_total = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "minus " if grosze_total < 0 else ""
    major, minor = divmod(abs(grosze_total), 100)
    major_forms, minor_forms = _CURRENCIES.get(
        currency, ((currency,) * 3, ("setna", "setne", "setnych"))
    )
    major_words = number(major)
    if currency in _FEMININE:
        major_words = _feminine(major_words)
    text = f"{sign}{major_words} {plural(major, major_forms)}"
    if minor:
        minor_words = _feminine(number(minor)) if currency in _FEMININE else number(minor)
        text += f" i {minor_words} {plural(minor, minor_forms)}"
    return text


def date_words(day: date) -> str:
    return f"{ordinal_genitive(day.day)} {_MONTHS[day.month - 1]} {ordinal_genitive(day.year)} roku"
