"""Talk and wrap-up time statistics, for "when will this busy agent be free?" (pacing).

The estimate for an agent already `elapsed` seconds into a call is the mean residual of
the recent calls that lasted longer than that — a long call is likely to go on a while —
which is better than "mean minus elapsed" and costs nothing for a window of ~200 calls.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class DurationWindow:
    """The last `size` durations of one kind, with a prior for the cold start."""

    prior_s: float
    size: int = 200
    samples: deque[float] = field(default_factory=deque)

    def add(self, seconds: float) -> None:
        self.samples.append(max(0.0, seconds))
        while len(self.samples) > self.size:
            self.samples.popleft()

    def mean(self) -> float:
        return sum(self.samples) / len(self.samples) if self.samples else self.prior_s

    def remaining(self, elapsed: float) -> float:
        """Expected seconds still to go, given `elapsed` seconds are done."""
        longer = [s - elapsed for s in self.samples if s > elapsed]
        if longer:
            return sum(longer) / len(longer)
        # Longer than every call seen (or no data): assume a little more is left.
        return max(self.prior_s - elapsed, 0.1 * self.mean(), 1.0)


@dataclass
class HandleTimeStats:
    talk: DurationWindow = field(default_factory=lambda: DurationWindow(prior_s=90.0))
    wrapup: DurationWindow = field(default_factory=lambda: DurationWindow(prior_s=10.0))

    def handle_time(self) -> float:
        return self.talk.mean() + self.wrapup.mean()

    def free_in_from_talk(self, talk_elapsed: float) -> float:
        return self.talk.remaining(talk_elapsed) + self.wrapup.mean()

    def free_in_from_wrapup(self, wrapup_elapsed: float, deadline_in: float) -> float:
        return min(self.wrapup.remaining(wrapup_elapsed), max(deadline_in, 0.0))
