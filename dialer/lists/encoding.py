"""Which text encoding a CSV file uses: UTF-8 (with or without BOM) or a legacy code page.

Spreadsheets in Poland and Ukraine still save cp1250 / cp1251 (sometimes ISO-8859-2 or
KOI8-U). UTF-8 wins whenever the bytes decode as UTF-8, because legacy text almost never
does. Otherwise every candidate decoding is scored for how plausible the text looks:
Polish decoded as cp1251 gives words mixing Latin and Cyrillic letters ("Јukasz"),
Cyrillic decoded as cp1250 gives words made only of accented letters ("Ďĺňđî"), cp1251
read as KOI8 swaps letter case ("пЕТРО"), and the ISO/Windows Central European pair
differ in symbols and control characters. charset-normalizer's guess joins the candidates,
and the same scoring validates it.
"""

from __future__ import annotations

import codecs
import itertools
import re
import unicodedata

import charset_normalizer

LEGACY_CANDIDATES = ("cp1250", "cp1251", "iso8859_2", "koi8_u")
_WORD = re.compile(r"[^\W\d_]+")
_EXPECTED_LETTERS = frozenset(
    "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    "іїєґІЇЄҐўЎ"
    "äöüßÄÖÜéèêàçôûîëïÉÈ"
)
_EXPECTED_SYMBOLS = frozenset("«»„”“‘’–—…€№§°\u00a0·×")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _word_penalty(word: str) -> int:
    if word.isascii():
        return 0
    penalty = 0
    has_cyrillic = any(_is_cyrillic(ch) for ch in word)
    has_latin = any(ch.isascii() or ("\u00c0" <= ch <= "\u024f") for ch in word)
    if has_cyrillic and has_latin:
        penalty += 10
    non_ascii = sum(1 for ch in word if not ch.isascii())
    if not has_cyrillic and len(word) >= 3 and non_ascii * 2 > len(word):
        penalty += 4
    if any(a.islower() and b.isupper() for a, b in itertools.pairwise(word)):
        penalty += 3
    penalty += sum(1 for ch in word if not ch.isascii() and ch not in _EXPECTED_LETTERS)
    return penalty


def implausibility(text: str) -> int:
    """Higher means less likely to be what a person typed (0 for plain ASCII)."""
    penalty = 0
    for ch in text:
        if ch.isascii() or ch.isalpha():
            if ch < " " and ch not in "\t\r\n":
                penalty += 5
            continue
        category = unicodedata.category(ch)
        if category.startswith("C"):
            penalty += 5
        elif ch not in _EXPECTED_SYMBOLS:
            penalty += 3
    return penalty + sum(_word_penalty(word) for word in _WORD.findall(text))


def _non_ascii_lines(sample: bytes, limit: int = 2000) -> bytes:
    lines = [line for line in sample.split(b"\n") if not line.isascii()]
    return b"\n".join(lines[:limit])


def _decodes_as_utf8(sample: bytes, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes, complete: bool = True) -> str:
    """Python codec name for `sample` (the file's first bytes; `complete` if it is all)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes_as_utf8(sample, complete):
        return "utf-8"
    interesting = _non_ascii_lines(sample)
    candidates = list(LEGACY_CANDIDATES)
    guess = charset_normalizer.from_bytes(interesting).best()
    if guess is not None and guess.encoding not in candidates and guess.encoding != "utf_8":
        candidates.append(guess.encoding)
    scored: list[tuple[int, int, str]] = []
    for order, name in enumerate(candidates):
        try:
            text = interesting.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((implausibility(text), order, name))
    if not scored:
        return "cp1250"
    return min(scored)[2]
