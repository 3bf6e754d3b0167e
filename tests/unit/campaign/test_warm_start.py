"""Pacing statistics rebuilt from stored attempts: a restart keeps the abandon rate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd import Acd
from dialer.campaign.demo_data import OutcomeMix, add_sim_debtors
from dialer.campaign.runner import CampaignRunner
from dialer.campaign.settings import CampaignSettings
from dialer.campaign.store import create_campaign
from dialer.campaign.warm_start import restore_stats
from dialer.db.models import CallAttempt, Phone
from dialer.db.types import utcnow
from dialer.pacing.stats import PacingStats
from tests.unit.campaign.fakepbx import FakeConnector, FakePbx

# outcome, ring seconds, talk seconds (connected only); 4 of 12 live answers abandoned.
HISTORY = (
    [("connected", 6.0, 90.0)] * 8
    + [("abandoned", 5.0, 0.0)] * 4
    + [("machine", 4.0, 0.0)] * 5
    + [("busy", 1.0, 0.0)] * 6
    + [("no_answer", 25.0, 0.0)] * 7
)


async def campaign_with_history(sessions: async_sessionmaker[Any], minutes_ago: int = 50) -> int:
    campaign_id = await create_campaign(sessions, "history", CampaignSettings())
    await add_sim_debtors(sessions, campaign_id, 3, OutcomeMix(), phones_per_debtor=(1,))
    start = utcnow() - timedelta(minutes=minutes_ago)
    async with sessions() as session, session.begin():
        phones = list((await session.execute(select(Phone))).scalars())
        for n, (outcome, ring_s, talk_s) in enumerate(HISTORY):
            phone = phones[n % len(phones)]
            originated = start + timedelta(minutes=n)
            answered = originated + timedelta(seconds=ring_s)
            live = outcome in ("connected", "abandoned", "machine")
            session.add(
                CallAttempt(
                    campaign_id=campaign_id,
                    debtor_id=phone.debtor_id,
                    phone_id=phone.id,
                    number_e164=phone.number_e164,
                    action_id=f"history-{n}",
                    state="ended",
                    outcome=outcome,
                    created_at=originated,
                    originated_at=originated,
                    answered_at=answered if live else None,
                    bridged_at=answered if outcome == "connected" else None,
                    ended_at=answered + timedelta(seconds=talk_s),
                )
            )
    return campaign_id


async def test_statistics_come_back_from_the_stored_attempts(
    sessions: async_sessionmaker[Any],
) -> None:
    campaign_id = await campaign_with_history(sessions)
    stats = PacingStats()
    learnt = await restore_stats(sessions, campaign_id, stats, now_mono=1000.0, wrapup_s=10.0)
    assert learnt == len(HISTORY)
    assert (stats.connected_total, stats.abandons_total) == (8, 4)
    assert stats.abandon_rate == pytest.approx(4 / 12)
    assert (stats.outcomes_total, stats.humans_total, stats.machines_total) == (30, 12, 5)
    assert stats.dials_total == len(HISTORY)
    assert stats.mean_talk_wrap() == pytest.approx((90.0, 10.0))
    # All within the last hour: every one of them counts in the recent abandon rate too.
    assert stats.recent_abandon_rate(1000.0) == pytest.approx(4 / 12)


async def test_old_calls_count_in_the_campaign_rate_but_not_in_the_recent_one(
    sessions: async_sessionmaker[Any],
) -> None:
    campaign_id = await campaign_with_history(sessions, minutes_ago=180)
    stats = PacingStats()
    await restore_stats(sessions, campaign_id, stats, now_mono=1000.0, wrapup_s=10.0)
    assert stats.abandon_rate == pytest.approx(4 / 12)
    assert stats.recent_abandon_rate(1000.0) == 0.0


async def test_a_restarted_runner_keeps_the_campaign_abandon_rate(
    sessions: async_sessionmaker[Any],
) -> None:
    campaign_id = await campaign_with_history(sessions)
    pbx = FakePbx()
    acd = Acd()
    runner = CampaignRunner(sessions, campaign_id, CampaignSettings(), pbx, acd, FakeConnector(pbx))
    try:
        await runner.prepare()
    finally:
        await pbx.close()
        await acd.aclose()
    assert runner.stats.abandon_rate == pytest.approx(4 / 12)
    decision = runner.engine.decide(runner.snapshot(), runner.stats)
    assert decision.abandon_rate == pytest.approx(4 / 12)


async def test_a_new_campaign_starts_with_empty_statistics(
    sessions: async_sessionmaker[Any],
) -> None:
    campaign_id = await create_campaign(sessions, "new", CampaignSettings())
    stats = PacingStats()
    assert await restore_stats(sessions, campaign_id, stats, now_mono=0.0, wrapup_s=5.0) == 0
    assert stats.live_answers == 0 and stats.outcomes_total == 0
