from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from aiohttp import web

from dialer.db.outcomes import ResultKind
from dialer.web.api_agents import parse_disposition


def test_promise_to_pay() -> None:
    d = parse_disposition(
        {
            "debtor_id": "7",
            "kind": "promise_to_pay",
            "amount": "120,5",
            "promised_date": "2026-12-01",
        }
    )
    assert (d.debtor_id, d.kind, d.amount, d.promised_date) == (
        7,
        ResultKind.PROMISE_TO_PAY,
        Decimal("120.50"),
        date(2026, 12, 1),
    )


def test_callback_time_is_utc() -> None:
    d = parse_disposition(
        {"debtor_id": 1, "kind": "callback", "callback_at": "2026-12-01T09:30:00.000Z"}
    )
    assert d.callback_at == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"debtor_id": 1, "kind": "nonsense"}, "kind"),
        ({"kind": "refusal"}, "debtor_id"),
        ({"debtor_id": 1, "kind": "promise_to_pay", "amount": "10"}, "promised_date"),
        ({"debtor_id": 1, "kind": "promise_to_pay", "amount": "x"}, "amount"),
        ({"debtor_id": 1, "kind": "callback"}, "callback_at"),
    ],
)
def test_problems_name_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(web.HTTPBadRequest) as caught:
        parse_disposition(body)
    assert field in (caught.value.text or "")
