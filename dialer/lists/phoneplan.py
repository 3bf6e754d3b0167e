"""How many leading digits of a number decide its validity, type and time zone.

Every phonenumbers metadata pattern of a country ends in a run of "any digit" (Polish
mobiles are `(?:45|5[0137]|...)\\d{7}`). Reading that run off the regex syntax tree gives,
per country and number length, how many leading digits a classification depends on, so a
cache keyed by those digits is exact, not a heuristic.
"""

from __future__ import annotations

import re
import re._parser as sre_parse
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import timezone
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

_CODES = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}


def country_code_of(digits: str) -> int | None:
    """Country calling codes are prefix-free: the first known 1-3 digit prefix is it."""
    return _CODES.get(digits[:1]) or _CODES.get(digits[:2]) or _CODES.get(digits[:3])


def _timezone_prefix_length(country_code: str) -> int:
    data: dict[str, Any] = timezone.TIMEZONE_DATA  # type: ignore[attr-defined]
    return max((len(k) for k in data if k.startswith(country_code)), default=0)


_DIGIT_SET = frozenset(range(48, 58))


def _in_covers_all_digits(items: Any) -> bool:
    codes: set[int] = set()
    for op, arg in items:
        name = str(op)
        if name == "CATEGORY" and str(arg) == "CATEGORY_DIGIT":
            return True
        if name == "RANGE":
            codes.update(range(arg[0], arg[1] + 1))
        elif name == "LITERAL":
            codes.add(arg)
        elif name == "NEGATE":
            return False
    return codes >= _DIGIT_SET


def _free_width(item: Any) -> int | None:
    """Min width if `item` matches every digit string of its lengths, else None."""
    op, arg = item
    name = str(op)
    if name == "IN":
        return 1 if _in_covers_all_digits(arg) else None
    if name in ("MAX_REPEAT", "MIN_REPEAT"):
        low, _high, inner = arg
        widths = [_free_width(sub) for sub in inner]
        if any(w is None for w in widths):
            return None
        return int(low) * sum(w for w in widths if w is not None)
    if name == "SUBPATTERN":
        widths = [_free_width(sub) for sub in arg[-1]]
        if any(w is None for w in widths):
            return None
        return sum(w for w in widths if w is not None)
    return None


def _width(items: Any) -> tuple[int, int]:
    low, high = sre_parse.SubPattern(sre_parse.State(), list(items)).getwidth()
    return int(low), int(high)


def _trailing_free(items: list[Any], length: int) -> int:
    """k such that, for strings of exactly `length` characters, matching depends only on
    all but the last k characters (`length` when no such string can match).

    Walking from the end over every width the last item can take: a fully free item of
    width w adds w to what the rest guarantees; any other item gives what it guarantees
    itself, capped by w.
    """
    if not items:
        return length
    last, rest = items[-1], items[:-1]
    low, high = _width([last])
    rest_low, rest_high = _width(rest)
    free = _free_width(last) is not None
    best = length
    for width in range(max(low, length - rest_high), min(high, length - rest_low) + 1):
        if free:
            best = min(best, width + _trailing_free(rest, length - width))
        else:
            best = min(best, _item_trailing_free(last, width), width)
    return best


def _item_trailing_free(item: Any, width: int) -> int:
    op, arg = item
    name = str(op)
    if name == "BRANCH":
        return min(_trailing_free(list(alt), width) for alt in arg[1])
    if name == "SUBPATTERN":
        return _trailing_free(list(arg[-1]), width)
    if name in ("MAX_REPEAT", "MIN_REPEAT") and arg[1] == 1:
        return width if width == 0 else _trailing_free(list(arg[2]), width)
    return 0


def pattern_trailing_free(pattern: str, length: int) -> int:
    try:
        return _trailing_free(list(sre_parse.parse(pattern)), length)
    except (re.error, RecursionError, TypeError, IndexError, OverflowError):
        return 0


@dataclass(frozen=True, slots=True)
class CountryPlan:
    """How many leading national digits decide validity, type and time zone (per length)."""

    trailing_free: int
    min_key_digits: int  # time-zone prefixes and region leading-digit patterns need these


@lru_cache(maxsize=4096)
def country_plan(country_code: int, national_len: int) -> CountryPlan:
    free = 99
    need = 0
    for region in COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
        meta = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
        if meta is None:
            return CountryPlan(0, 0)
        descs = (
            meta.general_desc, meta.fixed_line, meta.mobile, meta.toll_free,
            meta.premium_rate, meta.shared_cost, meta.personal_number, meta.voip,
            meta.pager, meta.uan, meta.voicemail,
        )  # fmt: skip
        for desc in descs:
            if desc is not None and desc.national_number_pattern:
                free = min(free, pattern_trailing_free(desc.national_number_pattern, national_len))
        if meta.leading_digits:
            high = sre_parse.parse(meta.leading_digits).getwidth()[1]
            need = max(need, high if high < 50 else 99)
    cc = str(country_code)
    need = max(need, _timezone_prefix_length(cc) - len(cc))
    return CountryPlan(free if free != 99 else 0, need)
