"""Column names of a debtor CSV file (also in config/csv_columns.md).

The first row names the columns; names are matched case-insensitively, with spaces and
hyphens read as underscores. Known columns:

==================  ========================================================================
account_id          creditor's account / case number, unique in a campaign (required)
first_name          first name
last_name           last name
creditor            creditor name (a creditor row is created when new)
portfolio           portfolio name within the creditor (created when new)
balance             amount due: "1240.50", "1 240,50", "1.240,50", "1,240.50" (required)
currency            ISO 4217 code, default from [locale] default_currency
due_date            YYYY-MM-DD or DD.MM.YYYY
phone1..phone4      phone numbers in dialling order, national or international (at least one
                    phone column is required; a row needs at least one number)
phone1_type..       mobile, home, work, other... (default: from the numbering plan)
timezone            IANA zone such as Europe/Warsaw; default: the first phone number's zone,
                    else [locale] default_timezone
postal_code         postal code
language            language of IVR prompts (pl, uk, en...); default from the country
country             ISO country for national numbers on this row (default [locale])
priority            integer, higher is dialled first
==================  ========================================================================

VICIdial lead-loader names are accepted as aliases: vendor_lead_code → account_id,
phone_number → phone1, alt_phone → phone2, address3 → phone3, country_code → country,
phone_code (dialling code such as 48) → country, rank → priority. Every other column
(comments, email, address1, city...) is kept in the debtor's `extra` fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dialer.lists.report import ListFileError

PHONE_POSITIONS = (1, 2, 3, 4)
KNOWN = frozenset(
    {
        "account_id", "first_name", "last_name", "creditor", "portfolio", "balance",
        "currency", "due_date", "timezone", "postal_code", "language", "country",
        "priority", "phone_code",
        *(f"phone{i}" for i in PHONE_POSITIONS),
        *(f"phone{i}_type" for i in PHONE_POSITIONS),
    }
)  # fmt: skip
ALIASES = {
    "vendor_lead_code": "account_id",
    "account": "account_id",
    "phone_number": "phone1",
    "phone": "phone1",
    "alt_phone": "phone2",
    "address3": "phone3",
    "country_code": "country",
    "rank": "priority",
    "zip": "postal_code",
    "tz": "timezone",
}
REQUIRED = ("account_id", "balance")


class HeaderError(ListFileError):
    """The header row cannot be used; the import stops before touching the database."""


def canonical_name(header: str) -> str:
    name = re.sub(r"[\s\-]+", "_", header.strip().lstrip("\ufeff").strip().lower())
    return ALIASES.get(name, name)


@dataclass(frozen=True)
class ColumnMap:
    """Where each known field sits in a row; `extra` maps original names to indexes."""

    header: list[str]
    index: dict[str, int]
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def phone_fields(self) -> list[str]:
        return [f"phone{i}" for i in PHONE_POSITIONS if f"phone{i}" in self.index]


def map_columns(header: list[str]) -> ColumnMap:
    index: dict[str, int] = {}
    extra: dict[str, int] = {}
    for position, raw in enumerate(header):
        name = canonical_name(raw)
        if not name:
            continue
        if name in KNOWN:
            if name in index:
                first = header[index[name]]
                raise HeaderError(f"columns {first!r} and {raw!r} both mean {name}")
            index[name] = position
        else:
            extra[raw.strip().lstrip("\ufeff")] = position
    missing = [name for name in REQUIRED if name not in index]
    if not any(f"phone{i}" in index for i in PHONE_POSITIONS):
        missing.append("phone1 (or phone2..phone4)")
    if missing:
        raise HeaderError(
            f"missing required column(s): {', '.join(missing)}; found: {', '.join(header)}"
        )
    return ColumnMap(header=header, index=index, extra=extra)


def known_column_count(header: list[str]) -> int:
    """How many cells of a candidate header are column names we know (delimiter guessing)."""
    return sum(1 for cell in header if canonical_name(cell) in KNOWN)
