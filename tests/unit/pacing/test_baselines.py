"""The VICIdial-style baselines count lines the way its two tally settings say."""

from __future__ import annotations

from dialer.pacing.baselines import make_strategy
from dialer.pacing.engine import PacingSnapshot
from dialer.pacing.simulator import SimView
from dialer.pacing.stats import PacingStats


def _view(*, ready: int, talking: int, ringing: int, waiting: int = 0) -> SimView:
    snapshot = PacingSnapshot(
        now=5.0,
        agents_logged_in=ready + talking,
        agents_ready=ready,
        busy_agents_free_in=[60.0] * talking,
        calls_ringing=ringing,
        calls_waiting_for_agent=waiting,
    )
    return SimView(snapshot, PacingStats(), ready + talking, 3600.0, talking)


def test_default_tally_keeps_lines_for_agents_still_talking() -> None:
    strategy = make_strategy("vicidial")
    strategy.level = 2.0  # type: ignore[attr-defined]
    # 10 agents all talking: 2.0 x 10 lines wanted, 10 of them are the calls in progress.
    assert strategy.decide(_view(ready=0, talking=10, ringing=0)) == 10
    assert strategy.decide(_view(ready=0, talking=10, ringing=4)) == 6
    assert strategy.decide(_view(ready=2, talking=8, ringing=3, waiting=1)) == 8


def test_available_only_tally_dials_for_waiting_agents_alone() -> None:
    strategy = make_strategy("vicidial-available")
    strategy.level = 2.0  # type: ignore[attr-defined]
    assert strategy.decide(_view(ready=0, talking=10, ringing=0)) == 0
    assert strategy.decide(_view(ready=3, talking=7, ringing=2)) == 4
