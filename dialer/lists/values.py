"""Amounts and dates as people write them in spreadsheets, parsed strictly.

Amounts: "1240.5", "1240,50", "1 240,50", "1.240,50", "1,240.50", "-15,00". The last
separator followed by one or two digits is the decimal mark; groups before it must be
thousands groups of three digits. A single separator followed by exactly three digits
("1,240" or "1.240") could be either, so it is rejected as ambiguous instead of guessed.
Dates: ISO "2025-03-31" and "31.03.2025" (one-digit day and month allowed).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u2009\u202f']")  # space, NBSP, thin spaces, Swiss apostrophe
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")
_SPACE_GROUPED = re.compile(r"\d{1,3}(?:[\s\u00a0\u2009\u202f']\d{3})*(?:[.,]\d+)?")
_CENTS = Decimal("0.01")
# "1240", "1240,5", "-15.00", "1 240,50": unambiguous, the decimal mark is obvious.
_SIMPLE = re.compile(r"(-?(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+))(?:[.,](\d{1,2}))?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is shown to the admin as it is."""


def parse_amount(text: str) -> Decimal:
    raw = text.strip()
    simple = _SIMPLE.fullmatch(raw)
    if simple is not None:  # the everyday shapes, without the general analysis below
        integer = simple[1].replace(" ", "").replace("\u00a0", "")
        value = Decimal(f"{integer}.{simple[2] or '0'}").quantize(_CENTS)
        if abs(value) > MAX_AMOUNT:
            raise ValueProblem(f"amount {raw!r} is too large")
        return value
    if not raw:
        raise ValueProblem("empty amount")
    sign = ""
    if raw[0] in "+-":
        sign, raw = ("-" if raw[0] == "-" else ""), raw[1:].lstrip()
    had_space_groups = bool(_SPACES.search(raw))
    compact = _SPACES.sub("", raw)
    if not re.fullmatch(r"[\d.,]+", compact) or not compact[0].isdigit():
        raise ValueProblem(f"amount {text.strip()!r} is not a number")
    if had_space_groups and not _SPACE_GROUPED.fullmatch(raw):
        raise ValueProblem(f"amount {text.strip()!r}: digit groups must have three digits")
    integer, fraction = _split_decimal(compact, text.strip(), had_space_groups)
    if len(fraction) > 2:
        raise ValueProblem(f"amount {text.strip()!r} has more than two decimal places")
    try:
        value = Decimal(f"{sign}{integer}.{fraction or '0'}")
    except InvalidOperation:
        raise ValueProblem(f"amount {text.strip()!r} is not a number") from None
    if abs(value) > MAX_AMOUNT:
        raise ValueProblem(f"amount {text.strip()!r} is too large")
    return value.quantize(_CENTS)


def _split_decimal(compact: str, shown: str, space_grouped: bool) -> tuple[str, str]:
    """(integer digits, fraction digits) or ValueProblem."""
    marks = [i for i, ch in enumerate(compact) if ch in ".,"]
    if not marks:
        return compact, ""
    last = marks[-1]
    head, tail = compact[:last], compact[last + 1 :]
    head_marks = {compact[i] for i in marks[:-1]}
    if not tail:
        raise ValueProblem(f"amount {shown!r} ends with a separator")
    if compact[last] in head_marks:
        # "12,345,678" or "1.240.000": every separator is a thousands separator.
        if not _GROUPED.fullmatch(compact):
            raise ValueProblem(f"amount {shown!r}: digit groups must have three digits")
        return compact.replace(compact[last], ""), ""
    if head_marks and not _GROUPED.fullmatch(head):
        raise ValueProblem(f"amount {shown!r}: digit groups must have three digits")
    if not head_marks and not space_grouped and len(tail) == 3:
        raise ValueProblem(f"amount {shown!r} is ambiguous: write 1240.00 / 1240,00 or 1.24 / 1,24")
    return head.replace(".", "").replace(",", ""), tail


def parse_date(text: str) -> date:
    raw = text.strip()
    iso = _ISO_DATE.fullmatch(raw)
    dotted = _DOTTED_DATE.fullmatch(raw)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dotted:
            return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
    except ValueError:
        raise ValueProblem(f"date {raw!r} does not exist") from None
    raise ValueProblem(f"date {raw!r}: use YYYY-MM-DD or DD.MM.YYYY")
