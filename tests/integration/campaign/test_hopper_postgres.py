"""The hopper on PostgreSQL: two workers never get the same debtor or number, and the
single-statement read and write follow the same rules as on SQLite."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from dialer.campaign.demo_data import OutcomeMix, add_sim_debtors
from dialer.campaign.hopper import Claim, Hopper
from dialer.campaign.settings import CampaignSettings
from dialer.campaign.store import create_campaign
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.models import CallAttempt
from tests.unit.campaign import hopper_cases

NOON = datetime(2026, 6, 3, 12, tzinfo=UTC)


async def test_two_workers_never_claim_the_same_number(fresh_postgres_url: str) -> None:
    engines = [make_engine(fresh_postgres_url) for _ in range(2)]
    try:
        sessions = [make_sessionmaker(e) for e in engines]
        settings = CampaignSettings()
        campaign_id = await create_campaign(sessions[0], "pg", settings)
        await add_sim_debtors(sessions[0], campaign_id, 300, OutcomeMix())

        async def worker(hopper: Hopper) -> list[Claim]:
            got: list[Claim] = []
            while batch := await hopper.claim(7, NOON):
                got += batch
            return got

        results = await asyncio.gather(
            *(worker(Hopper(s, campaign_id, settings)) for s in sessions for _ in range(2))
        )
        claims = [c for r in results for c in r]
        assert len(claims) == 300
        assert len({c.debtor_id for c in claims}) == 300
        assert len({c.phone_id for c in claims}) == 300
        assert sum(1 for r in results if r) >= 2  # both workers really took part
        async with sessions[0]() as s:
            stored = await s.scalar(select(func.count(CallAttempt.id)))
        assert stored == 300
    finally:
        for e in engines:
            await e.dispose()


async def test_recycled_debtors_follow_the_rules(fresh_postgres_url: str) -> None:
    engine = make_engine(fresh_postgres_url)
    try:
        await hopper_cases.recycled_debtors_follow_the_rules(make_sessionmaker(engine))
    finally:
        await engine.dispose()


async def test_callbacks_go_to_their_agent(fresh_postgres_url: str) -> None:
    engine = make_engine(fresh_postgres_url)
    try:
        await hopper_cases.callbacks_go_to_their_agent(make_sessionmaker(engine))
    finally:
        await engine.dispose()
