"""Pacing statistics rebuilt from the campaign's stored attempts when a runner starts.

A restarted dialer must not forget its abandon rate: the engine spends the abandon budget left
against the target, and a budget reset to zero at every restart would let a campaign that
restarts often go over 3 %. The answer rate, ring times and talk times come back too, so a
resumed campaign goes on predicting instead of starting over in progressive mode.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.db.models import CallAttempt
from dialer.db.outcomes import HUMAN_OUTCOMES, AttemptOutcome
from dialer.db.types import utcnow
from dialer.pacing.stats import PacingStats

RECENT_OUTCOMES = 800  # as many as the statistics keep
RECENT_TALKS = 400


class _Clock:
    """Maps stored wall-clock times onto the runner's monotonic clock."""

    def __init__(self, now_mono: float, now_wall: datetime) -> None:
        self.now_mono, self.now_wall = now_mono, now_wall

    def __call__(self, at: datetime) -> float:
        return self.now_mono - (self.now_wall - at).total_seconds()


async def restore_stats(
    sessions: async_sessionmaker[AsyncSession],
    campaign_id: int,
    stats: PacingStats,
    now_mono: float,
    wrapup_s: float,
    amd_false_positive_rate: float = 0.0,
) -> int:
    """Feed `stats` with what the campaign did before; returns the attempts it learnt from."""
    mono = _Clock(now_mono, utcnow())
    async with sessions() as session:
        await _restore_live_answers(session, campaign_id, stats, mono, amd_false_positive_rate)
        outcomes = await _restore_outcomes(session, campaign_id, stats, mono)
        await _restore_talks(session, campaign_id, stats, wrapup_s)
        dials = await session.scalar(
            select(func.count(CallAttempt.id)).where(CallAttempt.campaign_id == campaign_id)
        )
    stats.dials_total += int(dials or 0)
    return outcomes


async def _restore_live_answers(
    session: AsyncSession,
    campaign_id: int,
    stats: PacingStats,
    mono: _Clock,
    amd_false_positive_rate: float,
) -> None:
    """Connected and abandoned calls, and machines that may have been people: the
    campaign's abandon rate so far.

    Calls older than the statistics' abandon window only count; recent ones keep their time.
    """
    window_start = mono.now_wall - timedelta(seconds=stats.abandon_window_s)
    live = (
        CallAttempt.campaign_id == campaign_id,
        CallAttempt.outcome.in_(
            [AttemptOutcome.CONNECTED, AttemptOutcome.ABANDONED, AttemptOutcome.MACHINE]
        ),
    )
    older = await session.execute(
        select(CallAttempt.outcome, func.count())
        .where(*live, CallAttempt.created_at < window_start)
        .group_by(CallAttempt.outcome)
    )
    for outcome, count in older.all():
        for _ in range(count):
            _record_live(stats, outcome, mono(window_start) - 1.0, amd_false_positive_rate)
    recent = await session.execute(
        select(CallAttempt.outcome, CallAttempt.answered_at, CallAttempt.created_at)
        .where(*live, CallAttempt.created_at >= window_start)
        .order_by(CallAttempt.id)
    )
    for outcome, answered_at, created_at in recent:
        _record_live(stats, outcome, mono(answered_at or created_at), amd_false_positive_rate)


def _record_live(
    stats: PacingStats, outcome: str | None, at: float, amd_false_positive_rate: float
) -> None:
    if outcome == AttemptOutcome.ABANDONED:
        stats.record_abandon(at)
    elif outcome == AttemptOutcome.MACHINE:
        stats.record_machine_verdict(at, amd_false_positive_rate)
    else:
        stats.record_connected(at)


async def _restore_outcomes(
    session: AsyncSession, campaign_id: int, stats: PacingStats, mono: _Clock
) -> int:
    """The latest answered / unanswered results with their ring times: the answer rate."""
    rows = (
        await session.execute(
            select(
                CallAttempt.outcome,
                CallAttempt.originated_at,
                CallAttempt.answered_at,
                CallAttempt.ended_at,
            )
            .where(
                CallAttempt.campaign_id == campaign_id,
                CallAttempt.outcome.is_not(None),
                CallAttempt.outcome != AttemptOutcome.LOST,
                CallAttempt.originated_at.is_not(None),
            )
            .order_by(CallAttempt.id.desc())
            .limit(RECENT_OUTCOMES)
        )
    ).all()
    for outcome, originated_at, answered_at, ended_at in reversed(rows):
        if originated_at is None:
            continue  # excluded by the query; keeps the types honest
        settled = answered_at or ended_at or originated_at
        human = outcome in HUMAN_OUTCOMES
        machine = outcome == AttemptOutcome.MACHINE
        ring_s = (settled - originated_at).total_seconds()
        stats.record_outcome(mono(settled), ring_s, human, machine)
    return len(rows)


async def _restore_talks(
    session: AsyncSession, campaign_id: int, stats: PacingStats, wrapup_s: float
) -> None:
    rows = (
        await session.execute(
            select(CallAttempt.bridged_at, CallAttempt.answered_at, CallAttempt.ended_at)
            .where(
                CallAttempt.campaign_id == campaign_id,
                CallAttempt.outcome == AttemptOutcome.CONNECTED,
                CallAttempt.ended_at.is_not(None),
            )
            .order_by(CallAttempt.id.desc())
            .limit(RECENT_TALKS)
        )
    ).all()
    for bridged_at, answered_at, ended_at in reversed(rows):
        started = bridged_at or answered_at
        if started is None or ended_at is None:
            continue
        stats.record_talk((ended_at - started).total_seconds(), wrapup_s)
