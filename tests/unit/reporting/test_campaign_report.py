from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.db.outcomes import AttemptOutcome as O
from dialer.reporting.campaign import UnknownCampaign, campaign_stats
from dialer.reporting.csvexport import csv_text
from tests.unit.reporting.reporting_rows import add_attempt, make_campaign

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def test_abandon_rate_over_campaign_30_days_and_24_hours(
    sessions: async_sessionmaker[Any],
) -> None:
    campaign_id, debtors, _ = await make_campaign(sessions, debtors=4)
    d = debtors[0]
    # 40 days ago: 10 people answered, 5 abandoned (outside 30 d).
    old = NOW - timedelta(days=40)
    for outcome in [O.CONNECTED] * 5 + [O.ABANDONED] * 5:
        await add_attempt(sessions, campaign_id, d, outcome, old)
    # 3 days ago: 8 connected, 2 abandoned, 4 machines, 6 busy.
    mid = NOW - timedelta(days=3)
    for outcome in [O.CONNECTED] * 8 + [O.ABANDONED] * 2 + [O.MACHINE] * 4 + [O.BUSY] * 6:
        await add_attempt(sessions, campaign_id, debtors[1], outcome, mid)
    # 1 hour ago: 9 connected, 1 abandoned, one still ringing.
    recent = NOW - timedelta(hours=1)
    for ended in [O.CONNECTED] * 9 + [O.ABANDONED, None]:
        await add_attempt(sessions, campaign_id, debtors[2], ended, recent)

    stats = await campaign_stats(sessions, "spring", now=NOW)
    rates = {rate.window: rate for rate in stats.abandon}
    assert stats.counts.dialled == 10 + 20 + 11
    assert stats.counts.abandoned == 8
    assert stats.counts.machine == 4
    assert stats.counts.busy == 6
    assert stats.counts.pending == 1
    assert rates["campaign"].abandon_pct == pytest.approx(100 * 8 / 30)
    assert rates["30d"].abandon_pct == pytest.approx(100 * 3 / 20)
    assert rates["24h"].abandon_pct == pytest.approx(100 * 1 / 10)
    assert stats.debtors_total == 4
    assert stats.debtors_attempted == 3
    assert stats.penetration_pct == pytest.approx(75.0)


async def test_amd_false_positives_count_as_abandons(sessions: async_sessionmaker[Any]) -> None:
    campaign_id, debtors, _ = await make_campaign(sessions)
    at = NOW - timedelta(hours=2)
    for outcome in [O.CONNECTED] * 18 + [O.ABANDONED] * 2 + [O.MACHINE] * 10:
        await add_attempt(sessions, campaign_id, debtors[0], outcome, at)
    stats = await campaign_stats(sessions, "spring", now=NOW, amd_false_positive_rate=0.1)
    rate = stats.abandon[0]
    # One of the ten machines was probably a person hung up on: (2 + 1) / (20 + 1).
    assert rate.amd_false_positives == pytest.approx(1.0)
    assert rate.abandon_pct == pytest.approx(100 * 3 / 21)


async def test_dial_ratio_buckets_and_csv(sessions: async_sessionmaker[Any]) -> None:
    campaign_id, debtors, _ = await make_campaign(sessions)
    start = NOW - timedelta(hours=1)
    for outcome in [O.CONNECTED] * 2 + [O.NO_ANSWER] * 4:
        await add_attempt(sessions, campaign_id, debtors[0], outcome, start + timedelta(minutes=1))
    for outcome in [O.CONNECTED, O.ABANDONED, O.BUSY]:
        await add_attempt(sessions, campaign_id, debtors[1], outcome, start + timedelta(minutes=20))
    stats = await campaign_stats(
        sessions, "spring", now=NOW, buckets_since=start, bucket=timedelta(minutes=15)
    )
    assert [(b.start, b.dialled, b.dial_ratio) for b in stats.buckets] == [
        (start, 6, 3.0),
        (start + timedelta(minutes=15), 3, 3.0),
    ]
    assert stats.buckets[1].abandon_pct == pytest.approx(50.0)
    assert stats.buckets[1].running_abandon_pct == pytest.approx(25.0)
    text = csv_text(stats.rows())
    assert text.startswith("metric,value\ncampaign,spring\n")
    assert "abandon_pct_24h,25.00" in text
    buckets = csv_text(stats.bucket_rows()).splitlines()
    assert buckets[0] == (
        "start,dialled,human,connected,abandoned,abandon_pct,running_abandon_pct,dial_ratio"
    )
    assert buckets[2].endswith(",3,2,1,1,50.00,25.00,3.00")


async def test_unknown_campaign(sessions: async_sessionmaker[Any]) -> None:
    with pytest.raises(UnknownCampaign):
        await campaign_stats(sessions, "nope", now=NOW)
