"""Rows for report tests, inserted into a real SQLite database."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.db.models import CallAttempt, Campaign, Creditor, Debtor, Phone, Portfolio

_serial = itertools.count(1)


async def make_campaign(
    sessions: async_sessionmaker[Any], name: str = "spring", debtors: int = 4
) -> tuple[int, list[int], int]:
    """A campaign with one-phone debtors; returns ids (campaign, debtors, portfolio)."""
    async with sessions() as session, session.begin():
        creditor = Creditor(name=f"Bank {name}")
        portfolio = Portfolio(creditor=creditor, name="cards")
        campaign = Campaign(name=name, status="running")
        session.add_all([creditor, portfolio, campaign])
        await session.flush()
        ids = []
        for n in range(debtors):
            debtor = Debtor(
                campaign_id=campaign.id,
                portfolio_id=portfolio.id,
                account_id=f"ACC{n}",
                first_name="Jan",
                last_name=f"Kowalski{n}",
                balance=Decimal("1200.50"),
                currency="PLN",
                due_date=date(2026, 10, 1),
                timezone="Europe/Warsaw",
                phones=[Phone(position=1, number_e164=f"+4860000000{n}")],
            )
            session.add(debtor)
            await session.flush()
            ids.append(debtor.id)
        return campaign.id, ids, portfolio.id


async def add_attempt(
    sessions: async_sessionmaker[Any],
    campaign_id: int,
    debtor_id: int,
    outcome: str | None,
    at: datetime,
    agent_id: int | None = None,
) -> int:
    async with sessions() as session, session.begin():
        phone_id = (
            await session.execute(select(Phone.id).where(Phone.debtor_id == debtor_id))
        ).scalar_one()
        attempt = CallAttempt(
            campaign_id=campaign_id,
            debtor_id=debtor_id,
            phone_id=phone_id,
            number_e164="+48600000000",
            action_id=f"test-{next(_serial)}",
            state="ended",
            outcome=outcome,
            agent_id=agent_id,
            created_at=at,
        )
        session.add(attempt)
        await session.flush()
        return attempt.id
