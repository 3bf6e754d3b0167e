"""Sliding-window statistics that feed the pacing engine.

Recent outcomes are kept in fixed-size ring buffers and weighted by age (exponential decay with
a half-life), so the estimates follow a list or time-of-day change within minutes while campaign
totals (answers, abandons) are kept for the abandon budget, which is a whole-campaign figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

KIND_NONE = 0  # busy, no answer, congestion
KIND_HUMAN = 1
KIND_MACHINE = 2


class _Ring:
    """Fixed-capacity buffer of float rows; oldest rows are overwritten."""

    def __init__(self, capacity: int, width: int) -> None:
        self.data = np.zeros((capacity, width))
        self.capacity = capacity
        self.count = 0

    def push(self, *values: float) -> None:
        self.data[self.count % self.capacity] = values
        self.count += 1

    def rows(self) -> FloatArray:
        return self.data[: min(self.count, self.capacity)]


@dataclass(frozen=True)
class AnswerEstimate:
    rate: float  # human answers per dial, now (trend-corrected)
    slope_per_hour: float  # change of the rate per hour, from the recent window
    samples: int


class PacingStats:
    """Live statistics. Feed it from call events; the engine only reads it."""

    def __init__(
        self,
        outcome_window: int = 800,
        half_life_s: float = 900.0,
        talk_window: int = 400,
        abandon_window_s: float = 3600.0,
    ) -> None:
        self.half_life_s = half_life_s
        self.abandon_window_s = abandon_window_s
        self._outcomes = _Ring(outcome_window, 3)  # time, ring seconds, kind
        self._talks = _Ring(talk_window, 2)  # talk seconds, wrap seconds
        # time, people counted, abandons counted (1, 1 = abandoned; 1, 0 = connected; a
        # machine verdict adds its chance of having been a person to both); an hour of 1,000
        # agents fits
        self._live = _Ring(32768, 3)
        self.dials_total = 0
        self.outcomes_total = 0
        self.humans_total = 0
        self.machines_total = 0
        self.connected_total = 0
        self.abandons_total = 0
        # Machine verdicts estimated to have been people, hung up on: abandons the UK way.
        self.amd_false_positives = 0.0
        self._version = 0  # bumps on each outcome so derived arrays can be cached
        self._cache_key: tuple[int, int, float] | None = None
        self._cache_val: tuple[FloatArray, FloatArray] | None = None

    # --- feeding -------------------------------------------------------------------------
    def record_dial(self, now: float) -> None:
        self.dials_total += 1

    def record_outcome(self, now: float, ring_s: float, human: bool, machine: bool) -> None:
        kind = KIND_HUMAN if human else KIND_MACHINE if machine else KIND_NONE
        self._outcomes.push(now, max(0.0, ring_s), float(kind))
        self.outcomes_total += 1
        self.humans_total += int(human)
        self.machines_total += int(machine)
        self._version += 1

    def record_talk(self, talk_s: float, wrap_s: float) -> None:
        self._talks.push(max(0.0, talk_s), max(0.0, wrap_s))

    def record_abandon(self, now: float) -> None:
        self.abandons_total += 1
        self._live.push(now, 1.0, 1.0)

    def record_connected(self, now: float) -> None:
        self.connected_total += 1
        self._live.push(now, 1.0, 0.0)

    def record_machine_verdict(self, now: float, false_positive_rate: float) -> None:
        """An AMD "machine": with the campaign's estimated false-positive rate, that share of
        a person who was hung up on counts as answered and abandoned (Ofcom's counting)."""
        if false_positive_rate > 0.0:
            self.amd_false_positives += false_positive_rate
            self._live.push(now, false_positive_rate, false_positive_rate)

    # --- campaign totals -----------------------------------------------------------------
    @property
    def live_answers(self) -> int:
        """Answered live calls the abandon rate is measured against (connected + abandoned)."""
        return self.connected_total + self.abandons_total

    @property
    def answers_counted(self) -> float:
        """Live answers plus the people AMD is estimated to have taken for machines."""
        return self.live_answers + self.amd_false_positives

    @property
    def abandons_counted(self) -> float:
        return self.abandons_total + self.amd_false_positives

    @property
    def abandon_rate(self) -> float:
        answered = self.answers_counted
        return self.abandons_counted / answered if answered else 0.0

    def recent_abandon_rate(self, now: float) -> float:
        answered, abandoned = self.window_counts(now, self.abandon_window_s)
        return abandoned / answered if answered else 0.0

    def window_counts(self, now: float, window_s: float) -> tuple[float, float]:
        """Answers and abandons counted in the last `window_s` seconds (the short-window
        guard)."""
        rows = self._live.rows()
        recent = rows[rows[:, 0] >= now - window_s]
        return float(recent[:, 1].sum()), float(recent[:, 2].sum())

    # --- estimates -----------------------------------------------------------------------
    def _weights(self, times: FloatArray, now: float) -> FloatArray:
        return np.exp2(-(now - times) / self.half_life_s)

    def answer_estimate(self, now: float) -> AnswerEstimate:
        """Weighted human-answer rate with a linear trend, projected to `now`."""
        rows = self._outcomes.rows()
        n = len(rows)
        if n == 0:
            return AnswerEstimate(0.0, 0.0, 0)
        t, human = rows[:, 0], (rows[:, 2] == KIND_HUMAN).astype(np.float64)
        w = self._weights(t, now)
        sw = float(w.sum())
        mean = float((w * human).sum() / sw)
        t_mean = float((w * t).sum() / sw)
        var_t = float((w * (t - t_mean) ** 2).sum() / sw)
        slope = 0.0
        # A trend needs a real time spread; otherwise noise would be extrapolated.
        if n >= 100 and var_t > 300.0**2:
            slope = float((w * (t - t_mean) * (human - mean)).sum() / sw / var_t)
        rate = mean + slope * (now - t_mean)
        return AnswerEstimate(float(np.clip(rate, 0.0, 1.0)), slope * 3600.0, n)

    def ring_profile(self, now: float, horizon_s: int) -> tuple[FloatArray, FloatArray]:
        """Per dial, by whole second 0..horizon_s: P(human answers in that second) and
        P(the call is resolved - any outcome - by the end of that second)."""
        key = (self._version, horizon_s, round(now / 30.0))
        if self._cache_key == key and self._cache_val is not None:
            return self._cache_val
        rows = self._outcomes.rows()
        bins = horizon_s + 1
        human_pmf: FloatArray
        resolved: FloatArray
        if len(rows) == 0:
            human_pmf = np.zeros(bins)
            resolved = np.ones(bins)
        else:
            w = self._weights(rows[:, 0], now)
            w = w / w.sum()
            idx = np.minimum(rows[:, 1].astype(np.int64), horizon_s)
            is_h = rows[:, 2] == KIND_HUMAN
            human_pmf = np.bincount(idx[is_h], weights=w[is_h], minlength=bins).astype(np.float64)
            resolved = np.cumsum(np.bincount(idx, weights=w, minlength=bins)).astype(np.float64)
        self._cache_key, self._cache_val = key, (human_pmf, resolved)
        return human_pmf, resolved

    def mean_talk_wrap(self) -> tuple[float, float]:
        rows = self._talks.rows()
        if len(rows) == 0:
            return 0.0, 0.0
        return float(rows[:, 0].mean()), float(rows[:, 1].mean())

    def expected_free_in(self, talk_elapsed: FloatArray, wrap_elapsed: FloatArray) -> FloatArray:
        """Seconds until each busy agent is expected free, from elapsed talk or wrap-up time
        (NaN where not in that phase). Uses E[X - e | X > e] on the recent samples: what an
        ACD can know without seeing the future."""
        rows = self._talks.rows()
        if len(rows) < 10:
            mean_talk, mean_wrap = 180.0, 30.0
            talk_res = np.maximum(mean_talk - np.nan_to_num(talk_elapsed), 10.0) + mean_wrap
            wrap_res = np.maximum(mean_wrap - np.nan_to_num(wrap_elapsed), 1.0)
        else:
            talk_res = self._residual(0, rows[:, 0], talk_elapsed) + float(rows[:, 1].mean())
            wrap_res = self._residual(1, rows[:, 1], wrap_elapsed)
        return np.where(np.isnan(talk_elapsed), wrap_res, talk_res)

    def _residual(self, col: int, samples: FloatArray, elapsed: FloatArray) -> FloatArray:
        s = np.sort(samples)
        tail_sums = np.concatenate([np.cumsum(s[::-1])[::-1], [0.0]])
        e = np.nan_to_num(elapsed)
        pos = np.searchsorted(s, e, side="right")
        left = len(s) - pos
        with np.errstate(invalid="ignore", divide="ignore"):
            cond = tail_sums[pos] / left - e
        # Beyond every sample seen: assume the call is about to end, but not instantly.
        fallback = max(1.0, 0.1 * float(s.mean()))
        return np.where(left > 0, np.maximum(cond, 1.0), fallback)
