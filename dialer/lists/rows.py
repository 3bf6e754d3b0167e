"""One CSV row to a validated debtor record, or the list of everything wrong with it."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

import phonenumbers

from dialer.lists.columns import PHONE_POSITIONS, ColumnMap
from dialer.lists.phones import PhoneError, PhoneNormaliser
from dialer.lists.report import RowProblem
from dialer.lists.values import ValueProblem, parse_amount, parse_date

# Language of IVR prompts when the file does not say, by the debtor's country.
LANGUAGE_BY_COUNTRY = {
    "PL": "pl", "UA": "uk", "GB": "en", "US": "en", "IE": "en", "DE": "de",
    "AT": "de", "CZ": "cs", "SK": "sk", "LT": "lt", "RU": "ru", "BY": "be",
}  # fmt: skip


class PhoneRecord(NamedTuple):  # a NamedTuple: four million of them in a big import
    position: int
    e164: str
    kind: str
    timezone: str | None


@dataclass(slots=True)
class DebtorRecord:
    line: int
    account_id: str
    first_name: str
    last_name: str
    creditor: str | None
    portfolio: str | None
    balance: Decimal
    currency: str
    due_date: date | None
    timezone: str
    postal_code: str | None
    language: str
    priority: int
    extra: dict[str, str]
    phones: list[PhoneRecord] = field(default_factory=list)


@lru_cache(maxsize=4096)
def _country_of(e164_head: str) -> str | None:
    for size in (1, 2, 3):
        country = phonenumbers.region_code_for_country_code(int(e164_head[1 : 1 + size]))
        if country != "ZZ":
            return country
    return None


def _language(region: str, phones: list[PhoneRecord]) -> str:
    """The country of the first number when it is foreign, else the row's country."""
    if phones:
        region = _country_of(phones[0].e164[:4]) or region
    return LANGUAGE_BY_COUNTRY.get(region, "en")


_LENGTH_LIMITS = {
    "account_id": 64,
    "first_name": 100,
    "last_name": 100,
    "creditor": 200,
    "portfolio": 200,
    "postal_code": 16,
    "language": 8,
}


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _region_from(cell: str, column: str) -> str:
    value = cell.strip().upper()
    if value.lstrip("+").isdigit():
        region = phonenumbers.region_code_for_country_code(int(value.lstrip("+")))
        if region != "ZZ":
            return region
    elif len(value) == 2 and phonenumbers.country_code_for_region(value):
        return value
    raise ValueProblem(f"unknown country {cell.strip()!r} in {column}")


class RowParser:
    def __init__(
        self,
        columns: ColumnMap,
        phones: PhoneNormaliser,
        *,
        default_country: str,
        default_currency: str,
        default_timezone: str,
        encoding: str,
    ) -> None:
        self.columns = columns
        self.phones = phones
        self.default_country = default_country.upper()
        self.default_currency = default_currency.upper()
        self.default_timezone = default_timezone
        self.encoding = encoding
        idx = columns.index
        self._phone_cols = [
            (i, idx[f"phone{i}"], idx.get(f"phone{i}_type"))
            for i in PHONE_POSITIONS
            if f"phone{i}" in idx
        ]

        self._known = list(idx.items())
        self._limits = [(name, limit) for name, limit in _LENGTH_LIMITS.items() if name in idx]
        self._extra = list(columns.extra.items())

    def _name(self, field_name: str) -> str:
        """The column as the user wrote it, for messages."""
        return self.columns.header[self.columns.index[field_name]]

    def parse(self, line: int, cells: list[str]) -> DebtorRecord | list[RowProblem]:
        width = len(self.columns.header)
        if len(cells) != width:
            return [RowProblem(line, "", f"row has {len(cells)} cells, the header has {width}")]
        if "\ufffd" in "".join(cells):
            reason = f"bytes that are not valid {self.encoding}"
            header = self.columns.header
            return [
                RowProblem(line, header[i], reason) for i, c in enumerate(cells) if "\ufffd" in c
            ]
        v = {name: cells[i].strip() for name, i in self._known}
        problems: list[RowProblem] = []

        def problem(field_name: str, reason: str) -> None:
            problems.append(RowProblem(line, self._name(field_name), reason))

        account_id = v["account_id"]
        if not account_id:
            problem("account_id", "empty account_id")
        balance, currency, due = self._money(v, problem)
        region = self._region(v, problem)
        phones = self._parse_phones(line, cells, region, problems)
        timezone = v.get("timezone", "")
        if timezone and timezone not in _zones():
            problem("timezone", f"unknown time zone {timezone!r} (use e.g. Europe/Warsaw)")
        if not timezone:
            timezone = self.default_timezone
            for phone in phones:
                if phone.timezone:
                    timezone = phone.timezone
                    break
        priority = 0
        if raw_priority := v.get("priority"):
            try:
                priority = int(raw_priority)
            except ValueError:
                problem("priority", f"priority {raw_priority!r} is not a whole number")
        creditor, portfolio = v.get("creditor") or None, v.get("portfolio") or None
        if portfolio and not creditor:
            problem("portfolio", "a portfolio needs a creditor on the same row")
        for field_name, limit in self._limits:
            if len(v[field_name]) > limit:
                problem(field_name, f"longer than {limit} characters")
        if problems:
            return problems
        return DebtorRecord(
            line=line,
            account_id=account_id,
            first_name=v.get("first_name", ""),
            last_name=v.get("last_name", ""),
            creditor=creditor,
            portfolio=portfolio,
            balance=balance,
            currency=currency,
            due_date=due,
            timezone=timezone,
            postal_code=v.get("postal_code") or None,
            language=(v.get("language") or _language(region, phones)).lower(),
            priority=priority,
            extra={name: cells[i] for name, i in self._extra if cells[i].strip()},
            phones=phones,
        )

    def _money(
        self, v: dict[str, str], problem: Callable[[str, str], None]
    ) -> tuple[Decimal, str, date | None]:
        balance = Decimal(0)
        try:
            balance = parse_amount(v["balance"])
        except ValueProblem as exc:
            problem("balance", str(exc))
        currency = (v.get("currency") or self.default_currency).upper()
        if len(currency) != 3 or not currency.isalpha():
            problem("currency", f"currency {currency!r} is not a 3-letter ISO code")
        due: date | None = None
        if raw_due := v.get("due_date"):
            try:
                due = parse_date(raw_due)
            except ValueProblem as exc:
                problem("due_date", str(exc))
        return balance, currency, due

    def _region(self, v: dict[str, str], problem: Callable[[str, str], None]) -> str:
        """Country for national numbers: the row's country or phone_code, else the default."""
        region = self.default_country
        for field_name in ("country", "phone_code"):
            if raw := v.get(field_name):
                try:
                    region = _region_from(raw, self._name(field_name))
                except ValueProblem as exc:
                    problem(field_name, str(exc))
        return region

    def _parse_phones(
        self, line: int, cells: list[str], region: str, problems: list[RowProblem]
    ) -> list[PhoneRecord]:
        phones: list[PhoneRecord] = []
        seen: set[str] = set()
        for _position, column, type_column in self._phone_cols:
            raw = cells[column].strip()
            if not raw:
                continue
            try:
                e164, found = self.phones.number_and_class(raw, region)
            except PhoneError as exc:
                problems.append(RowProblem(line, self.columns.header[column], str(exc)))
                continue
            if e164 in seen:
                continue  # the same number twice on one row is dialled once
            seen.add(e164)
            kind = cells[type_column].strip().lower() if type_column is not None else ""
            if len(kind) > 16 and type_column is not None:
                column_name = self.columns.header[type_column]
                problems.append(RowProblem(line, column_name, "longer than 16 characters"))
            phones.append(PhoneRecord(len(phones) + 1, e164, kind or found.kind, found.timezone))
        if not phones and not any(p.column in self._phone_headers() for p in problems):
            problems.append(RowProblem(line, "", "no phone number on this row"))
        return phones

    def _phone_headers(self) -> set[str]:
        return {self.columns.header[column] for _p, column, _t in self._phone_cols}
