"""Debtor-list imports into real databases."""

from typing import Any

# The import's locale keywords in these tests: a Polish collection team's defaults.
LOCALE: dict[str, Any] = {
    "default_country": "PL",
    "default_currency": "PLN",
    "default_timezone": "Europe/Warsaw",
}
