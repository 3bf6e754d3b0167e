"""Phone numbers to E.164 with `phonenumbers`, fast enough for million-row imports.

`phonenumbers.parse` + validation + time zone costs ~30 µs a number, which alone would
take two minutes for a million debtors with four phones each. Two exact shortcuts:

* Input that is already international ("+48 501 234 567", "0048501234567") or national
  for a country without a trunk prefix is turned into E.164 by stripping formatting,
  when `phonenumbers.parse` provably would not change the digits (no national prefix to
  strip, no carrier code). Anything else goes through `phonenumbers.parse`.
* Validity, number type and time zone of a number depend only on its first digits and
  its length: every metadata pattern of a country ends in a run of "any digit"
  (e.g. Polish mobiles are `(?:45|5[0137]|...)\\d{7}`). We measure that run per country
  from the regex syntax tree and cache the classification per (leading digits, length),
  so a cache entry stands for thousands of numbers and is exact, not a heuristic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType, timezone
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, NumberParseException

from dialer.lists.phoneplan import country_code_of, country_plan

_FORMATTING = re.compile(r"[\s\-().\u00a0\u2009\u202f/]+")
_MAX_CACHE = 200_000
_UNKNOWN_TZ = "Etc/Unknown"

_KINDS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}


class PhoneError(ValueError):
    """The text is not a valid phone number; the message says why, for the import report."""


class PhoneInfo(NamedTuple):
    e164: str
    kind: str  # mobile, landline, voip, ... (from the numbering plan)
    timezone: str | None  # None when the number spans several zones


@dataclass(frozen=True, slots=True)
class NumberClass:
    """What the numbering plan says about every number of one prefix and length."""

    valid: bool
    kind: str
    timezone: str | None


@dataclass(frozen=True, slots=True)
class _NationalPlan:
    """What parse() would do with a national number of one region."""

    country_code: str
    international_prefix: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None


def _national_prefix(meta: Any) -> re.Pattern[str] | None:
    prefix = meta.national_prefix_for_parsing or meta.national_prefix
    return re.compile(prefix) if prefix else None


class PhoneNormaliser:
    """Turns what people type into E.164 plus type and time zone; one per import."""

    def __init__(self, default_region: str) -> None:
        self.default_region = default_region.upper()
        self._classes: dict[tuple[str, int], NumberClass] = {}
        self._national: dict[str, _NationalPlan | None] = {}
        self._strippers: dict[int, list[re.Pattern[str]] | None] = {}
        self._key_lengths: dict[tuple[str, int], tuple[int, int] | None] = {}
        self._intl: dict[str, tuple[int, list[re.Pattern[str]]] | None] = {}
        self._idd_00: dict[str, bool] = {}
        self.slow_parses = 0
        self.classified = 0

    def normalise(self, raw: str, region: str | None = None) -> PhoneInfo:
        text = raw.strip()
        if not text:
            raise PhoneError("empty phone number")
        e164, found = self.number_and_class(text, region.upper() if region else self.default_region)
        return PhoneInfo(e164, found.kind, found.timezone)

    def number_and_class(self, text: str, region: str) -> tuple[str, NumberClass]:
        """`normalise` for the import's hot loop: `text` already stripped and not empty,
        `region` upper case; no PhoneInfo made (four million of them in a big import)."""
        e164 = self._fast_e164(text, region)
        if e164 is None:
            number = self._slow_parse(text, region)
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            if self._fast_e164(e164, region) != e164:
                # Re-reading this E.164 would strip another prefix: classify it as parsed.
                found = _class_of(number)
                if not found.valid:
                    raise PhoneError(f"invalid phone number {e164} (not in the numbering plan)")
                return e164, found
        return e164, self._classify(e164)

    def _fast_e164(self, text: str, region: str) -> str | None:
        # Spaces and dashes are most of the formatting people type: two replaces cost a
        # fifth of the regular expression, which is left for the rest.
        compact = text.replace(" ", "").replace("-", "")
        bare = compact[1:] if compact[:1] == "+" else compact
        if not (bare.isascii() and bare.isdigit()):
            compact = _FORMATTING.sub("", text)
            if not compact.isascii():
                return None
        if compact.startswith("+"):
            digits = compact[1:]
        elif compact.startswith("00") and self._idd_is_00(region):
            digits = compact[2:]
        else:
            return self._fast_national(compact, region)
        if not digits.isdigit() or not 4 <= len(digits) <= 17:
            return None
        head = digits[:3]
        try:
            plan = self._intl[head]
        except KeyError:
            plan = self._intl[head] = self._international_plan(head)
        if plan is None:
            return None
        cc_len, strippers = plan
        for pattern in strippers:
            if pattern.match(digits[cc_len:]):
                return None
        return "+" + digits

    def _international_plan(self, head: str) -> tuple[int, list[re.Pattern[str]]] | None:
        code = country_code_of(head)
        if code is None:
            return None
        strippers = self._strippers_for(code)
        return None if strippers is None else (len(str(code)), strippers)

    def _strippers_for(self, code: int) -> list[re.Pattern[str]] | None:
        """National-prefix patterns parse() would try after this country code."""
        if code not in self._strippers:
            patterns: list[re.Pattern[str]] | None = []
            for region_code in COUNTRY_CODE_TO_REGION_CODE[code]:
                meta = phonenumbers.PhoneMetadata.metadata_for_region(region_code)
                if meta is None or patterns is None:
                    patterns = None
                    continue
                prefix = _national_prefix(meta)
                if prefix is not None:
                    patterns.append(prefix)
            self._strippers[code] = patterns
        return self._strippers[code]

    def _national_plan(self, region: str) -> _NationalPlan | None:
        if region not in self._national:
            meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
            plan = None
            if meta is not None and meta.country_code is not None:
                idd = meta.international_prefix
                plan = _NationalPlan(
                    str(meta.country_code), re.compile(idd) if idd else None, _national_prefix(meta)
                )
            self._national[region] = plan
        return self._national[region]

    def _idd_is_00(self, region: str) -> bool:
        """Whether "00" is exactly the international call prefix of `region` (not in the US)."""
        try:
            return self._idd_00[region]
        except KeyError:
            plan = self._national_plan(region)
            found = None
            if plan is not None and plan.international_prefix is not None:
                found = plan.international_prefix.match("00")
            self._idd_00[region] = found is not None and found.end() == 2
            return self._idd_00[region]

    def _fast_national(self, digits: str, region: str) -> str | None:
        if not digits.isdigit() or not 2 <= len(digits) <= 15:
            return None
        plan = self._national_plan(region)
        if plan is None:
            return None
        # parse() would read these as international, with a country code, or strip a
        # trunk prefix: leave them to it.
        if digits.startswith(plan.country_code):
            return None
        if plan.international_prefix is not None and plan.international_prefix.match(digits):
            return None
        if plan.national_prefix is not None and plan.national_prefix.match(digits):
            return None
        return "+" + plan.country_code + digits

    def _slow_parse(self, text: str, region: str) -> phonenumbers.PhoneNumber:
        self.slow_parses += 1
        try:
            return phonenumbers.parse(text, region)
        except NumberParseException as exc:
            raise PhoneError(f"not a phone number ({exc._msg})") from None

    def _key_length(self, digits: str) -> tuple[int, int] | None:
        """(digits that decide the class, country code) for numbers like `digits`."""
        shape = (digits[:3], len(digits))
        if shape not in self._key_lengths:
            code = country_code_of(digits) if len(digits) > 3 else None
            if code is None:
                self._key_lengths[shape] = None
            else:
                cc_len = len(str(code))
                national_len = len(digits) - cc_len
                plan = country_plan(code, national_len)
                key = max(national_len - plan.trailing_free, plan.min_key_digits)
                self._key_lengths[shape] = (cc_len + key, code)
        return self._key_lengths[shape]

    def _classify(self, e164: str) -> NumberClass:
        digits = e164[1:]
        try:
            shape = self._key_lengths[(digits[:3], len(digits))]
        except KeyError:
            shape = self._key_length(digits)
        if shape is None:
            raise PhoneError(f"invalid phone number {e164}: unknown country code")
        key = (digits[: shape[0]], len(digits))
        found = self._classes.get(key)
        if found is None:
            found = self._classify_slow(e164)
            if len(self._classes) >= _MAX_CACHE:
                self._classes.clear()  # keeps memory flat on exotic lists
            self._classes[key] = found
        if not found.valid:
            raise PhoneError(f"invalid phone number {e164} (no such number in the numbering plan)")
        return found

    def _classify_slow(self, e164: str) -> NumberClass:
        self.classified += 1
        try:
            return _class_of(phonenumbers.parse(e164, None))
        except NumberParseException:
            return NumberClass(False, "unknown", None)


def _class_of(number: phonenumbers.PhoneNumber) -> NumberClass:
    if not phonenumbers.is_valid_number(number):
        return NumberClass(False, "unknown", None)
    kind = _KINDS.get(phonenumbers.number_type(number), "unknown")
    zones = [z for z in timezone.time_zones_for_number(number) if z != _UNKNOWN_TZ]
    return NumberClass(True, kind, zones[0] if len(zones) == 1 else None)


def slow_reference(raw: str, region: str) -> PhoneInfo:
    """The plain phonenumbers answer, for tests that check the fast paths agree with it."""
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException as exc:
        raise PhoneError(str(exc)) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("invalid")
    zones = [z for z in timezone.time_zones_for_number(number) if z != _UNKNOWN_TZ]
    return PhoneInfo(
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        _KINDS.get(phonenumbers.number_type(number), "unknown"),
        zones[0] if len(zones) == 1 else None,
    )
