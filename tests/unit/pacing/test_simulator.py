"""The simulator: accounting adds up, and our pacing stays under the abandon target."""

from __future__ import annotations

import pytest

from dialer.pacing.baselines import make_strategy
from dialer.pacing.scenario import Agents, Answer, Drift, Scenario, load_scenario
from dialer.pacing.settings import PacingSettings
from dialer.pacing.simulator import Simulator


def _small(agents: int = 12) -> Scenario:
    return Scenario(
        name="test",
        hours=1.0,
        agents=Agents(count=agents, login_spread_s=60, breaks=1, break_s=300),
        answer=Answer(
            human=Drift(start=0.3, end=0.2),
            machine=Drift(start=0.15, end=0.15),
            busy=Drift(start=0.05, end=0.05),
        ),
    )


@pytest.mark.parametrize("strategy", ["ours", "progressive", "vicidial", "clairvoyant"])
def test_accounting_adds_up(strategy: str) -> None:
    sim = Simulator(_small(), make_strategy(strategy), seed=5)
    r = sim.run()
    stats = sim.stats
    assert r.dials > 0 and r.connected > 0
    if strategy != "clairvoyant":
        assert stats.dials_total == stats.outcomes_total == r.dials  # every call resolved
    assert stats.connected_total == r.connected
    assert stats.abandons_total + stats.amd_false_positives == r.abandons
    assert r.abandon_rate == pytest.approx(r.abandons / (r.connected + r.abandons))
    # agent time inside the shift: every agent is in exactly one state at each moment
    assert sum(r.state_seconds.values()) == pytest.approx(12 * r.shift_s)
    assert 0.0 <= r.occupancy <= 1.0
    assert not sim.ringing and not sim.waiting_set and not sim.current


def test_same_seed_same_traffic() -> None:
    a = Simulator(_small(), make_strategy("ours"), seed=9).run()
    b = Simulator(_small(), make_strategy("ours"), seed=9).run()
    assert (a.dials, a.connected, a.abandons) == (b.dials, b.connected, b.abandons)


def test_clairvoyant_never_abandons_or_waits() -> None:
    r = Simulator(_small(), make_strategy("clairvoyant"), seed=2).run()
    assert r.abandons == 0 and r.mean_wait_s == 0.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_our_abandon_rate_stays_under_target(seed: int) -> None:
    scenario = load_scenario("steady-50")
    r = Simulator(scenario, make_strategy("ours"), seed=seed, hours=1.0).run()
    assert r.connected > 300
    assert r.abandon_rate <= 0.03
    progressive = Simulator(scenario, make_strategy("progressive"), seed=seed, hours=1.0).run()
    assert r.occupancy > progressive.occupancy


@pytest.mark.parametrize("seed", [1, 2])
def test_a_low_target_is_kept_too(seed: int) -> None:
    """1 %: a third of the default, half of it already spent by AMD mistakes."""
    settings = PacingSettings(target_abandon=0.01)
    r = Simulator(load_scenario("steady-50"), make_strategy("ours", settings), seed, 2.0).run()
    assert 0 < r.amd_abandons <= r.abandons
    assert r.abandon_rate <= 0.01


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_mistuned_model_still_keeps_the_target(seed: int) -> None:
    """free_in_cv at 0.6 instead of 0.35: the model expects agents free far too soon, calls
    its risks small and overdials (3.05-3.46 % in these seeds before the engine stopped asking
    a model whose own drops had passed the aim by a full reserve, or the target)."""
    settings = PacingSettings(free_in_cv=0.6)
    r = Simulator(load_scenario("steady-50"), make_strategy("ours", settings), seed, 1.0).run()
    assert r.connected > 300
    assert r.abandon_rate <= 0.03
