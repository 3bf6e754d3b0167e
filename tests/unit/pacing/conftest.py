"""Helpers for pacing tests: statistics warmed up with a known list behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from dialer.pacing import PacingSettings, PacingSnapshot, PacingStats


def warm_stats(
    answer_rate: float = 0.25,
    outcomes: int = 600,
    abandons: int = 0,
    seed: int = 3,
    now: float = 3000.0,
) -> PacingStats:
    """Statistics as after `outcomes` calls spread over the last 50 minutes."""
    rng = np.random.default_rng(seed)
    stats = PacingStats()
    times = np.linspace(now - 3000.0, now, outcomes)
    humans = 0
    for t in times:
        stats.record_dial(float(t))
        human = bool(rng.random() < answer_rate)
        stats.record_outcome(
            float(t), float(rng.lognormal(2.0, 0.5)), human, not human and rng.random() < 0.3
        )
        if human:
            humans += 1
            stats.record_talk(float(rng.lognormal(5.0, 0.6)), float(rng.gamma(4.0, 7.5)))
            if humans <= abandons:
                stats.record_abandon(float(t))
            else:
                stats.record_connected(float(t))
    return stats


def snapshot(
    ready: int = 2,
    busy_free_in: list[float] | None = None,
    logged_in: int | None = None,
    ringing: int = 0,
    waiting: int = 0,
    now: float = 3000.0,
) -> PacingSnapshot:
    busy = busy_free_in if busy_free_in is not None else [5.0 + 7.0 * i for i in range(18)]
    return PacingSnapshot(
        now=now,
        agents_logged_in=logged_in if logged_in is not None else ready + len(busy),
        agents_ready=ready,
        busy_agents_free_in=busy,
        calls_ringing=ringing,
        calls_waiting_for_agent=waiting,
    )


@pytest.fixture
def settings() -> PacingSettings:
    return PacingSettings()
