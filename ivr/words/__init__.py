"""Numbers, money, dates and digit strings spelled out as words for TTS, per language.

espeak-ng reads "123.45 PLN" or "2026-03-15" badly (and never declines Polish nouns), so
prompts are turned into words here before they are rendered.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import ModuleType

from ivr.words import en, pl

LANGUAGES = ("en", "pl")


def _module(lang: str) -> ModuleType:
    return pl if lang == "pl" else en


def number(n: int, lang: str) -> str:
    return str(_module(lang).number(n))


def money(amount: Decimal, currency: str, lang: str) -> str:
    return str(_module(lang).money(amount, currency.upper()))


def date_words(day: date, lang: str) -> str:
    return str(_module(lang).date_words(day))


def digits(text: str, lang: str) -> str:
    words = [number(int(ch), lang) for ch in text if ch.isdigit()]
    return " ".join(words)
