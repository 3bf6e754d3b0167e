"""Sliding-window statistics."""

from __future__ import annotations

import numpy as np
import pytest

from dialer.pacing import PacingStats


def test_totals_and_abandon_rate() -> None:
    stats = PacingStats()
    for i in range(10):
        stats.record_dial(i)
        stats.record_outcome(i, 5.0, human=i < 4, machine=i == 9)
    for i in range(3):
        stats.record_connected(i)
    stats.record_abandon(5.0)
    assert stats.dials_total == 10 and stats.outcomes_total == 10
    assert stats.humans_total == 4 and stats.machines_total == 1
    assert stats.live_answers == 4
    assert stats.abandon_rate == 0.25


def test_answer_rate_follows_a_change_of_list() -> None:
    stats = PacingStats(half_life_s=300.0)
    rng = np.random.default_rng(1)
    for i in range(1200):  # 40 % for 20 minutes, then 10 % for 20 minutes
        t = float(i)
        rate = 0.4 if i < 600 else 0.1
        stats.record_outcome(t * 2, 6.0, bool(rng.random() < rate), False)
    est = stats.answer_estimate(2400.0)
    assert est.rate < 0.2
    assert est.slope_per_hour < 0


def test_ring_profile_is_a_distribution() -> None:
    stats = PacingStats()
    for i in range(100):
        stats.record_outcome(float(i), 3.0 if i % 2 else 12.0, human=i % 4 == 0, machine=False)
    human, resolved = stats.ring_profile(100.0, 45)
    assert abs(human.sum() - 0.25) < 0.05
    assert resolved[-1] == 1.0 or abs(resolved[-1] - 1.0) < 1e-9
    assert np.all(np.diff(resolved) >= 0)


def test_expected_free_in_shrinks_as_talk_goes_on() -> None:
    stats = PacingStats()
    rng = np.random.default_rng(2)
    for _ in range(300):
        stats.record_talk(float(rng.lognormal(5.0, 0.6)), 30.0)
    free_in = stats.expected_free_in(
        np.array([0.0, 60.0, np.nan]), np.array([np.nan, np.nan, 10.0])
    )
    assert free_in[2] == 20.0
    assert free_in[0] > 30.0 and free_in[1] > 30.0
    assert free_in[0] > free_in[1] - 60.0  # residual life, not a plain subtraction


def test_window_counts_only_the_recent_answers() -> None:
    stats = PacingStats()
    for t in range(0, 7200, 60):  # an answer a minute for two hours
        stats.record_connected(float(t))
    stats.record_abandon(100.0)  # early: outside the last hour
    stats.record_abandon(7000.0)
    answered, abandoned = stats.window_counts(7200.0, 3600.0)
    assert answered == 61  # 60 connected + the recent abandon
    assert abandoned == 1
    assert stats.recent_abandon_rate(7200.0) == abandoned / answered


def test_amd_false_positives_count_as_answered_and_abandoned() -> None:
    stats = PacingStats()
    for i in range(9):
        stats.record_connected(float(i))
    for i in range(10):
        stats.record_machine_verdict(float(i), 0.1)  # one person in ten machines, hung up on
    assert stats.live_answers == 9  # real live answers: the progressive fallback's count
    assert stats.answers_counted == pytest.approx(10.0)
    assert stats.abandons_counted == pytest.approx(1.0)
    assert stats.abandon_rate == pytest.approx(0.1)
    assert stats.window_counts(10.0, 60.0) == pytest.approx((10.0, 1.0))
    assert stats.recent_abandon_rate(10.0) == pytest.approx(0.1)


def test_machine_verdicts_count_nothing_without_a_false_positive_rate() -> None:
    stats = PacingStats()
    stats.record_connected(0.0)
    stats.record_machine_verdict(1.0, 0.0)
    assert stats.abandon_rate == 0.0 and stats.answers_counted == 1.0
    assert stats.window_counts(2.0, 60.0) == (1.0, 0.0)
