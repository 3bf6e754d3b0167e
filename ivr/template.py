"""Prompt templates: "Your balance is {debtor.balance}" with values spoken as words.

A value's type picks how it is spoken (Decimal → money in the call's currency, date → date,
int → number); `{name:digits}`, `{name:number}`, `{name:money}`, `{name:date}` force a form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ivr import words

PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)(?::(\w+))?\}")
FORMATS = ("digits", "number", "money", "date", "text")


class MissingVariable(KeyError):
    pass


def placeholders(template: str) -> list[tuple[str, str]]:
    """(variable, format) pairs used by a template."""
    return [(m.group(1), m.group(2) or "") for m in PLACEHOLDER.finditer(template)]


def lookup(variables: Mapping[str, Any], name: str) -> Any:
    """`a.b.c`: the longest defined prefix (`a.b`), then into its JSON value (`c`)."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix not in variables:
            continue
        value = variables[prefix]
        for part in parts[cut:]:
            if not isinstance(value, Mapping) or part not in value:
                raise MissingVariable(name)
            value = value[part]
        return value
    raise MissingVariable(name)


def lookup_or_none(variables: Mapping[str, Any], name: str) -> Any:
    """`lookup`, with a variable that is not set read as None (conditions compare it so)."""
    try:
        return lookup(variables, name)
    except MissingVariable:
        return None


def spoken(value: Any, fmt: str, lang: str, currency: str) -> str:
    try:
        if fmt == "digits":
            return words.digits(str(value), lang)
        if fmt == "money" or (not fmt and isinstance(value, Decimal)):
            return words.money(Decimal(str(value)), currency, lang)
        if fmt == "date" or (not fmt and isinstance(value, date)):
            day = value.date() if isinstance(value, datetime) else value
            if isinstance(day, str):
                day = date.fromisoformat(day)
            return words.date_words(day, lang)
        if fmt == "number" or (not fmt and isinstance(value, int) and not isinstance(value, bool)):
            return words.number(int(value), lang)
    except (ValueError, TypeError, InvalidOperation):
        pass
    return "" if value is None else str(value)


def render(template: str, variables: Mapping[str, Any], lang: str, currency: str) -> str:
    """Text to speak; raises MissingVariable if a variable has no value in this call."""

    def one(match: re.Match[str]) -> str:
        return spoken(lookup(variables, match.group(1)), match.group(2) or "", lang, currency)

    return PLACEHOLDER.sub(one, template)


def render_raw(template: str, variables: Mapping[str, Any]) -> Any:
    """A value, not speech: "{amount}" alone keeps its type; mixed text is formatted plainly."""
    match = PLACEHOLDER.fullmatch(template.strip())
    if match:
        return lookup(variables, match.group(1))
    return PLACEHOLDER.sub(lambda m: str(lookup(variables, m.group(1))), template)
