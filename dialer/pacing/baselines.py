"""Pacing strategies for the simulator: ours (the engine) and the baselines it is judged against.

* progressive: one line per ready agent not already covered by a ringing call.
* fixed: a constant number of lines per ready agent.
* vicidial / vicidial-tapered: a VICIdial-style adaptive dial level, written from the
  documented behaviour of its ADAPT_HARD_LIMIT and ADAPT_TAPERED methods (no code taken from
  it). As VICIdial is configured out of the box, lines wanted = dial level x active agents
  (ready or talking; an agent filling in the disposition is paused) less every live call
  (ringing, waiting, talking): at level 1.0 that is progressive dialling.
  vicidial-available is the same with its "available only tally" switched on: dial level x
  agents waiting, less the calls still ringing. Every 15 s
  the level moves by the recent gap between agents waiting and callers waiting (per active
  agent), bounded by 1.0 and the maximum adapt level. HARD_LIMIT: once the campaign's drop
  percentage reaches the limit the level falls to 1.0 and stays there until it is back under.
  TAPERED: the drop limit it enforces starts higher and tapers down to the configured limit
  at the end of the shift, so it can run hotter early in the day.
* clairvoyant: an upper bound, handled inside the simulator (it needs the future): each human
  answer lands the instant an agent frees, so agents never wait and no call is abandoned.
"""

from __future__ import annotations

import math

from dialer.pacing.engine import PacingDecision, PacingEngine
from dialer.pacing.settings import PacingMode, PacingSettings
from dialer.pacing.simulator import SimView, Strategy


class OursStrategy:
    name = "ours"

    def __init__(self, settings: PacingSettings | None = None) -> None:
        self.engine = PacingEngine(settings or PacingSettings(mode=PacingMode.PREDICTIVE))
        self.last: PacingDecision | None = None

    def decide(self, view: SimView) -> int:
        self.last = self.engine.decide(view.snapshot, view.stats)
        return self.last.dial


class ProgressiveStrategy:
    name = "progressive"

    def decide(self, view: SimView) -> int:
        s = view.snapshot
        return max(0, s.agents_ready - s.calls_ringing - s.calls_waiting_for_agent)


class FixedRatioStrategy:
    name = "fixed"

    def __init__(self, ratio: float = 2.5) -> None:
        self.ratio = ratio

    def decide(self, view: SimView) -> int:
        s = view.snapshot
        return max(0, math.floor(self.ratio * s.agents_ready) - s.calls_ringing)


class VicidialAdaptStrategy:
    def __init__(
        self,
        tapered: bool = False,
        available_only: bool = False,
        drop_limit: float = 0.03,
        max_level: float = 3.0,  # VICIdial's documented default maximum adapt level
        start_level: float = 1.0,
        interval_s: float = 15.0,
        gain: float | None = None,
    ) -> None:
        self.name = "vicidial-tapered" if tapered else "vicidial"
        self.name += "-available" if available_only else ""
        self.tapered, self.drop_limit, self.max_level = tapered, drop_limit, max_level
        self.available_only = available_only
        # With the default tally the level multiplies every active agent, so the same gap
        # moves far more lines: of the gains tried (0.005 to 2), 0.01 gave that variant its
        # best occupancy at 50 and 200 agents, and it is the one benchmarked.
        if gain is None:
            gain = 2.0 if available_only else 0.01
        self.level, self.interval_s, self.gain = start_level, interval_s, gain
        self._next_adapt = interval_s
        self._agents_waiting = 0.0
        self._calls_waiting = 0.0
        self._samples = 0

    def _limit(self, now: float, shift_s: float) -> float:
        if not self.tapered:
            return self.drop_limit
        remaining = max(0.0, 1.0 - now / shift_s)
        return self.drop_limit * (1.0 + remaining)

    def _adapt(self, view: SimView) -> None:
        s, stats = view.snapshot, view.stats
        if self._samples:
            gap = (self._agents_waiting - self._calls_waiting) / self._samples
            step = self.gain * gap / max(1, view.agents_active)
            self.level = min(self.max_level, max(1.0, self.level + max(-0.5, min(0.5, step))))
        if stats.live_answers >= 10 and stats.abandon_rate >= self._limit(s.now, view.shift_s):
            self.level = 1.0
        self._agents_waiting = self._calls_waiting = 0.0
        self._samples = 0

    def decide(self, view: SimView) -> int:
        s = view.snapshot
        self._agents_waiting += s.agents_ready
        self._calls_waiting += s.calls_waiting_for_agent
        self._samples += 1
        if s.now >= self._next_adapt:
            self._adapt(view)
            self._next_adapt = s.now + self.interval_s
        if self.available_only:
            return max(0, math.floor(self.level * s.agents_ready) - s.calls_ringing)
        active = s.agents_ready + view.calls_talking
        lines = s.calls_ringing + s.calls_waiting_for_agent + view.calls_talking
        return max(0, math.floor(self.level * active) - lines)


class ClairvoyantStrategy:
    name = "clairvoyant"
    clairvoyant = True

    def decide(self, view: SimView) -> int:
        return 0


STRATEGIES = (
    "ours", "progressive", "fixed", "vicidial", "vicidial-available", "vicidial-tapered",
    "clairvoyant",
)  # fmt: skip


def make_strategy(name: str, settings: PacingSettings | None = None) -> Strategy:
    if name == "ours":
        return OursStrategy(settings)
    if name == "progressive":
        return ProgressiveStrategy()
    if name == "fixed":
        return FixedRatioStrategy()
    if name in ("vicidial", "vicidial-available", "vicidial-tapered"):
        return VicidialAdaptStrategy(
            tapered=name == "vicidial-tapered", available_only=name == "vicidial-available"
        )
    if name == "clairvoyant":
        return ClairvoyantStrategy()
    raise ValueError(f"unknown strategy {name!r} (known: {', '.join(STRATEGIES)})")
