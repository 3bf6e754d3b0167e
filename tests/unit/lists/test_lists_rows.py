"""Header mapping and row validation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dialer.lists.columns import HeaderError, map_columns
from dialer.lists.phones import PhoneNormaliser
from dialer.lists.report import RowProblem
from dialer.lists.rows import DebtorRecord, RowParser


def parser(header: list[str], country: str = "PL") -> RowParser:
    return RowParser(
        map_columns(header), PhoneNormaliser(country), default_country=country,
        default_currency="PLN", default_timezone="Europe/Warsaw", encoding="utf-8",
    )  # fmt: skip


def test_vicidial_lead_loader_names_are_understood() -> None:
    columns = map_columns(
        ["vendor_lead_code", "phone_number", "alt_phone", "address3", "first_name",
         "last_name", "postal_code", "comments", "balance", "Security Phrase"]
    )  # fmt: skip
    assert columns.index["account_id"] == 0
    assert columns.phone_fields == ["phone1", "phone2", "phone3"]
    assert set(columns.extra) == {"comments", "Security Phrase"}


@pytest.mark.parametrize(
    ("header", "missing"),
    [(["first_name", "balance", "phone1"], "account_id"),
     (["account_id", "phone1"], "balance"),
     (["account_id", "balance", "mobile"], "phone1")],
)  # fmt: skip
def test_missing_required_columns_are_named(header: list[str], missing: str) -> None:
    with pytest.raises(HeaderError, match=missing):
        map_columns(header)


def test_two_columns_meaning_the_same_field_are_refused() -> None:
    with pytest.raises(HeaderError, match="both mean phone1"):
        map_columns(["account_id", "balance", "phone1", "phone_number"])


HEADER = ["Account_ID", "first_name", "last_name", "balance", "due_date", "phone1", "phone2",
          "phone2_type", "timezone", "note"]  # fmt: skip


def test_good_row() -> None:
    row = ["K-1", " Łukasz ", "Wójcik", "1 240,50", "31.03.2025", "+48 501 234 567",
           "22 123 45 67", "Work", "", "stary dług"]  # fmt: skip
    record = parser(HEADER).parse(2, row)
    assert isinstance(record, DebtorRecord)
    assert (record.account_id, record.first_name) == ("K-1", "Łukasz")
    assert record.balance == Decimal("1240.50")
    assert [(p.position, p.e164, p.kind) for p in record.phones] == [
        (1, "+48501234567", "mobile"),
        (2, "+48221234567", "work"),
    ]
    assert record.timezone == "Europe/Warsaw"
    assert record.extra == {"note": "stary dług"}
    assert record.language == "pl"


def test_zone_and_language_follow_a_foreign_number() -> None:
    row = ["K-2", "Петро", "Шевченко", "10", "", "+380 67 123 4567", "", "", "", ""]
    record = parser(HEADER).parse(3, row)
    assert isinstance(record, DebtorRecord)
    assert (record.timezone, record.language) == ("Europe/Kyiv", "uk")


def test_every_problem_of_a_row_is_reported_with_its_column() -> None:
    row = ["K-3", "Jan", "Nowak", "1.240", "2025-02-30", "12345", "not a phone", "", "Mars/Base",
           ""]  # fmt: skip
    problems = parser(HEADER).parse(7, row)
    assert isinstance(problems, list)
    assert {(p.line, p.column) for p in problems} == {
        (7, "balance"), (7, "due_date"), (7, "phone1"), (7, "phone2"), (7, "timezone"),
    }  # fmt: skip
    assert all(p.reason for p in problems)


def test_row_without_any_number() -> None:
    row = ["K-4", "Jan", "Nowak", "10", "", "", "", "", "", ""]
    assert parser(HEADER).parse(4, row) == [RowProblem(4, "", "no phone number on this row")]


def test_row_with_the_wrong_number_of_cells() -> None:
    problems = parser(HEADER).parse(9, ["K-5", "Jan"])
    assert isinstance(problems, list)
    assert "2 cells" in problems[0].reason


def test_country_column_sets_the_region_of_national_numbers() -> None:
    header = ["account_id", "balance", "phone1", "country_code"]
    record = parser(header).parse(2, ["U1", "5", "067 123 4567", "UA"])
    assert isinstance(record, DebtorRecord)
    assert record.phones[0].e164 == "+380671234567"


def test_same_number_twice_on_a_row_is_kept_once() -> None:
    header = ["account_id", "balance", "phone1", "phone2", "phone3"]
    record = parser(header).parse(2, ["A", "5", "501234567", "+48501234567", "601234567"])
    assert isinstance(record, DebtorRecord)
    assert [(p.position, p.e164) for p in record.phones] == [
        (1, "+48501234567"),
        (2, "+48601234567"),
    ]
