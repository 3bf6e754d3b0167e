from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.db.models import ScriptResult
from dialer.db.outcomes import AttemptOutcome, ResultKind
from dialer.reporting.csvexport import csv_text
from dialer.reporting.results import script_results
from tests.unit.reporting.reporting_rows import add_attempt, make_campaign

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def test_promises_per_portfolio_and_projected_end(
    sessions: async_sessionmaker[Any],
) -> None:
    campaign_id, debtors, _ = await make_campaign(sessions, debtors=10)
    # 14 attempts a day ago on 7 debtors: 2 per debtor, 14 attempts per 24 hours.
    for n in range(14):
        await add_attempt(
            sessions, campaign_id, debtors[n % 7], AttemptOutcome.NO_ANSWER, NOW - timedelta(days=1)
        )
    async with sessions() as session, session.begin():
        for debtor, kind, amount in [
            (debtors[0], ResultKind.PROMISE_TO_PAY, Decimal("100.00")),
            (debtors[1], ResultKind.PROMISE_TO_PAY, Decimal("250.50")),
            (debtors[2], ResultKind.REFUSAL, None),
            (debtors[3], ResultKind.DISPUTE, None),
        ]:
            session.add(
                ScriptResult(
                    debtor_id=debtor,
                    campaign_id=campaign_id,
                    source="agent",
                    kind=kind.value,
                    amount=amount,
                    currency="PLN" if amount else None,
                    promised_date=date(2026, 12, 1) if amount else None,
                )
            )
    report = await script_results(sessions, "spring", now=NOW)
    [group] = report.groups
    assert (group.creditor, group.portfolio, group.currency) == ("Bank spring", "cards", "PLN")
    assert group.promises == 2
    assert group.promised_amount == Decimal("350.50")
    assert group.kinds[ResultKind.REFUSAL] == 1
    assert group.kinds[ResultKind.DISPUTE] == 1
    projection = report.projection
    assert projection is not None
    assert projection.debtors_remaining == 10
    assert projection.attempts_per_debtor == pytest.approx(2.0)
    assert projection.attempts_per_hour == pytest.approx(14 / 24)
    assert projection.hours_left == pytest.approx(20 / (14 / 24))
    text = csv_text(report.rows())
    assert "Bank spring,cards,PLN,2,350.50,2,1,1,0,0,0,0,4" in text
