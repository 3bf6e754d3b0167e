"""Talk and wrap-up time statistics, for "when will this busy agent be free?" (pacing).

The estimate for an agent already `elapsed` seconds into a call is the mean residual of
the recent calls that lasted longer than that — a long call is likely to go on a while —
which is better than "mean minus elapsed" and costs nothing for a window of ~200 calls.
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass, field


@dataclass
class DurationWindow:
    """The last `size` durations of one kind, with a prior for the cold start."""

    prior_s: float
    size: int = 200
    samples: deque[float] = field(default_factory=deque)
    # sorted samples and suffix sums, rebuilt lazily: `remaining` is asked for every
    # busy agent on every pacing tick, a new sample arrives once per call
    _sorted: list[float] | None = field(default=None, repr=False)
    _suffix: list[float] = field(default_factory=list, repr=False)

    def add(self, seconds: float) -> None:
        self.samples.append(max(0.0, seconds))
        while len(self.samples) > self.size:
            self.samples.popleft()
        self._sorted = None

    def mean(self) -> float:
        return sum(self.samples) / len(self.samples) if self.samples else self.prior_s

    def remaining(self, elapsed: float) -> float:
        """Expected seconds still to go, given `elapsed` seconds are done."""
        ordered = self._ordered()
        first_longer = bisect.bisect_right(ordered, elapsed)
        longer = len(ordered) - first_longer
        if longer:
            return self._suffix[first_longer] / longer - elapsed
        # Longer than every call seen (or no data): assume a little more is left.
        return max(self.prior_s - elapsed, 0.1 * self.mean(), 1.0)

    def _ordered(self) -> list[float]:
        if self._sorted is None:
            self._sorted = sorted(self.samples)
            suffix = [0.0] * (len(self._sorted) + 1)
            for i in range(len(self._sorted) - 1, -1, -1):
                suffix[i] = suffix[i + 1] + self._sorted[i]
            self._suffix = suffix
        return self._sorted


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
