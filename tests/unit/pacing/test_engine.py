"""Behaviour of the pacing engine's decisions (no event loop, no timing)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dialer.pacing import PacingEngine, PacingMode, PacingSettings, PacingStats
from dialer.pacing.engine import _aim
from tests.unit.pacing.conftest import snapshot, warm_stats


def test_preview_never_dials() -> None:
    engine = PacingEngine(PacingSettings(mode=PacingMode.PREVIEW))
    decision = engine.decide(snapshot(ready=10), warm_stats())
    assert decision.dial == 0
    assert decision.mode is PacingMode.PREVIEW
    assert "preview" in decision.reason


def test_progressive_is_one_line_per_free_agent() -> None:
    engine = PacingEngine(PacingSettings(mode=PacingMode.PROGRESSIVE))
    assert engine.decide(snapshot(ready=5, ringing=2), warm_stats()).dial == 3
    assert engine.decide(snapshot(ready=5, ringing=2, waiting=1), warm_stats()).dial == 2
    assert engine.decide(snapshot(ready=1, ringing=4), warm_stats()).dial == 0


def test_agentless_keeps_lines_busy() -> None:
    engine = PacingEngine(PacingSettings(mode=PacingMode.AGENTLESS, agentless_lines=20))
    snap = snapshot(ready=0, busy_free_in=[], logged_in=0, ringing=8)
    assert engine.decide(snap, warm_stats()).dial == 12


@pytest.mark.parametrize("agents", [1, 3])
def test_few_agents_fall_back_to_progressive(agents: int) -> None:
    engine = PacingEngine(PacingSettings(min_agents_predictive=4))
    decision = engine.decide(snapshot(ready=agents, busy_free_in=[]), warm_stats())
    assert decision.dial == agents
    assert "progressive fallback" in decision.reason


def test_little_data_falls_back_to_progressive() -> None:
    engine = PacingEngine(PacingSettings(min_answers_predictive=30))
    decision = engine.decide(snapshot(ready=3), warm_stats(outcomes=40))
    assert decision.dial == 3
    assert "progressive fallback" in decision.reason


def test_predictive_overdials_with_a_healthy_budget() -> None:
    decision = PacingEngine().decide(snapshot(ready=4), warm_stats())
    assert decision.mode is PacingMode.PREDICTIVE
    assert decision.dial > 4  # more than progressive: agents about to be free are covered
    assert 0.2 < decision.answer_rate < 0.3
    assert 0 < decision.predicted_abandon <= decision.allowance
    assert decision.reason.startswith("predictive")


def test_more_free_agents_never_means_fewer_dials() -> None:
    engine, stats = PacingEngine(), warm_stats()
    dials = [
        engine.decide(snapshot(ready=r, busy_free_in=[30.0] * 10), stats).dial for r in range(0, 12)
    ]
    assert dials == sorted(dials)
    sooner = [
        engine.decide(snapshot(ready=2, busy_free_in=[f] * 10), stats).dial for f in (90, 40, 15, 5)
    ]
    assert sooner == sorted(sooner)


def test_higher_answer_rate_never_means_more_dials() -> None:
    engine, snap = PacingEngine(), snapshot(ready=3)
    dials = [engine.decide(snap, warm_stats(answer_rate=p)).dial for p in (0.1, 0.2, 0.35, 0.6)]
    assert dials == sorted(dials, reverse=True)
    assert dials[0] > dials[-1]


def test_max_ratio_bounds_ringing_lines() -> None:
    engine = PacingEngine(PacingSettings(max_ratio=1.5))
    decision = engine.decide(
        snapshot(ready=10, busy_free_in=[200.0] * 10), warm_stats(answer_rate=0.05)
    )
    assert decision.dial <= 15
    assert decision.ratio <= 1.5 + 1e-9


def test_max_lines_per_agent_bounds_calls_in_progress() -> None:
    engine = PacingEngine(PacingSettings(max_lines_per_agent=1.2, max_ratio=10))
    snap = snapshot(ready=10, busy_free_in=[3.0] * 10, ringing=5)
    decision = engine.decide(snap, warm_stats(answer_rate=0.05))
    assert 5 + decision.dial <= 24


def test_a_spike_of_abandons_cuts_dialing() -> None:
    engine, snap = PacingEngine(), snapshot(ready=4)
    calm = engine.decide(snap, warm_stats(abandons=0))
    spike = engine.decide(snap, warm_stats(abandons=5))  # 5 of ~150 answers: over 3 %
    assert spike.dial < calm.dial
    assert spike.dial == 4  # over the target: progressive only, never below it
    assert spike.allowance < calm.allowance
    assert spike.budget < 0
    assert "overdrawn" in spike.reason


def test_lower_target_or_intensity_means_fewer_dials() -> None:
    stats, snap = warm_stats(), snapshot(ready=2)
    base = PacingEngine(PacingSettings()).decide(snap, stats).dial
    strict = PacingEngine(PacingSettings(target_abandon=0.01)).decide(snap, stats).dial
    gentle = PacingEngine(PacingSettings(intensity=0.5)).decide(snap, stats).dial
    assert strict <= base and gentle <= base


def test_settings_change_while_running() -> None:
    engine, stats, snap = PacingEngine(), warm_stats(), snapshot(ready=3)
    assert engine.decide(snap, stats).dial > 0
    engine.settings.mode = PacingMode.PREVIEW
    assert engine.decide(snap, stats).dial == 0
    with pytest.raises(ValueError):
        engine.settings.target_abandon = -1.0


def test_decision_explains_its_numbers() -> None:
    decision = PacingEngine().decide(snapshot(ready=2), warm_stats())
    for key in ("expected_supply_horizon", "loss_in_flight", "progressive_floor", "model_dials"):
        assert key in decision.numbers
    assert decision.budget > 0


def _three_hours(abandon_times: list[float]) -> PacingStats:
    """Three hours of a steady list (25 % humans), abandons at the given times."""
    stats = warm_stats(outcomes=800, now=10800.0)
    for t in np.linspace(0.0, 10800.0, 700):
        stats.record_connected(float(t))
    for t in abandon_times:
        stats.record_abandon(t)
    return stats


def test_the_short_window_guard_throttles_after_a_burst() -> None:
    """The same campaign-wide rate, once spread over the day and once in the last half hour:
    only the burst makes the guard hold dialing back."""
    spread = _three_hours([float(t) for t in range(300, 10800, 1800)])
    burst = _three_hours([float(t) for t in range(9000, 10800, 300)])
    assert spread.abandons_total == burst.abandons_total == 6
    snap = snapshot(ready=4, now=10800.0)
    guarded = PacingEngine()
    assert guarded.decide(snap, burst).dial < guarded.decide(snap, spread).dial
    unguarded = PacingEngine(PacingSettings(guard_window_s=0))
    assert unguarded.decide(snap, burst).dial == unguarded.decide(snap, spread).dial


def test_an_overdrawn_budget_fades_the_low_risk_floor() -> None:
    # ~600 answers: aiming at about 2.5 % (15 abandons), so 14 and 16 are both short of the
    # 3 % target (18), where the model would no longer be asked.
    snap = snapshot(ready=4)
    slightly = PacingEngine().decide(snap, warm_stats(outcomes=2400, abandons=14))
    deeply = PacingEngine().decide(snap, warm_stats(outcomes=2400, abandons=16))
    assert "overdrawn" not in deeply.reason
    assert deeply.allowance < slightly.allowance
    assert deeply.dial <= slightly.dial
    assert deeply.dial >= 4  # the progressive floor stays


def test_estimated_amd_false_positives_spend_the_abandon_budget() -> None:
    engine = PacingEngine()
    plain, counted = warm_stats(), warm_stats()
    for t in np.linspace(0.0, 3000.0, 150):
        counted.record_machine_verdict(float(t), 0.2)  # 30 people taken for machines
    snap = snapshot(ready=4)
    before, after = engine.decide(snap, plain), engine.decide(snap, counted)
    assert after.abandon_rate > 0.1 > before.abandon_rate
    assert after.dial < before.dial  # the budget is overdrawn: no more overdial


def test_past_the_aim_by_a_full_reserve_only_the_progressive_floor_is_dialled() -> None:
    # A model that sees agents free far too soon calls every risk small: it is not asked.
    blind = PacingEngine(PacingSettings(free_in_cv=3.0, budget_reserve=2.0))
    snap = snapshot(ready=4)
    stats = warm_stats(outcomes=2400)  # ~600 answers: the target itself is further away
    limit = _aim(blind.settings, stats.answers_counted) * stats.answers_counted + 2.0
    inside = blind.decide(snap, warm_stats(outcomes=2400, abandons=math.floor(limit) - 1))
    past = blind.decide(snap, warm_stats(outcomes=2400, abandons=math.floor(limit) + 1))
    assert inside.dial > 4
    assert past.dial == 4 and "overdrawn" in past.reason


def test_past_the_target_only_the_progressive_floor_is_dialled() -> None:
    # Early in the day the aim's margin is wide, and a full reserve would pass the target.
    engine, snap = PacingEngine(), snapshot(ready=4)
    stats = warm_stats()
    at_target = 0.03 * stats.answers_counted
    assert _aim(engine.settings, stats.answers_counted) * stats.answers_counted + 4 > at_target
    inside = engine.decide(snap, warm_stats(abandons=math.floor(at_target) - 1))
    past = engine.decide(snap, warm_stats(abandons=math.floor(at_target) + 1))
    assert "overdrawn" not in inside.reason
    assert past.dial == 4 and "overdrawn" in past.reason


def test_amd_mistakes_alone_over_the_target_leave_pacing_its_low_risk_calls() -> None:
    # Progressive would not keep a target AMD alone overruns: only the calls pacing itself
    # dropped decide whether the model is set aside.
    snap = snapshot(ready=4)
    amd = warm_stats()
    for t in np.linspace(0.0, 3000.0, 50):
        amd.record_machine_verdict(float(t), 0.2)  # 10 people taken for machines: over 3 %
    dropped = warm_stats(abandons=10)
    assert amd.abandon_rate > 0.03 and dropped.abandon_rate > 0.03
    by_amd, by_pacing = PacingEngine().decide(snap, amd), PacingEngine().decide(snap, dropped)
    assert by_amd.allowance > 0 and "overdrawn" not in by_amd.reason
    assert by_pacing.allowance == 0 and "overdrawn" in by_pacing.reason
