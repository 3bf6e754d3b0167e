"""Counters and time series of one simulated campaign, and the figures derived from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from dialer.pacing.simulator import SimView

BUCKET_S = 300.0  # time-series resolution for plots
OUT, READY, TALK, WRAP, PAUSED = range(5)


@dataclass
class SimResult:
    strategy: str
    scenario: str
    seed: int
    shift_s: float
    dials: int
    humans: int  # real people who answered (whatever AMD said)
    connected: int
    abandons: int
    abandon_rate: float  # abandons / (connected + abandons)
    amd_abandons: int  # of which humans that AMD took for machines: no pacing avoids those
    worst_hour_abandon: float
    occupancy: float  # (talk + wrap) / (talk + wrap + ready) within the shift
    mean_wait_s: float  # ready time before each connected call
    dials_per_agent_hour: float
    agent_hours: float  # logged in, not paused, within the shift
    state_seconds: dict[str, float]
    decision_ms_mean: float
    decision_ms_max: float
    cpu_s: float
    series_t: list[float] = field(default_factory=list)
    series_ratio: list[float] = field(default_factory=list)  # ringing lines per active agent
    series_abandon: list[float] = field(default_factory=list)  # campaign abandon % so far

    @property
    def pacing_abandon_rate(self) -> float:
        """Abandons the pacing caused (no agent in time), per live answer."""
        live = self.connected + self.abandons
        return (self.abandons - self.amd_abandons) / live if live else 0.0

    def summary(self) -> str:
        return (
            f"{self.scenario} / {self.strategy} / seed {self.seed}: dials {self.dials}, "
            f"humans {self.humans}, connected {self.connected}, abandons {self.abandons} "
            f"({100 * self.abandon_rate:.2f} %, worst hour {100 * self.worst_hour_abandon:.2f} %), "
            f"occupancy {100 * self.occupancy:.1f} %, mean wait {self.mean_wait_s:.1f} s, "
            f"dials/agent-hour {self.dials_per_agent_hour:.1f}"
        )


class SimRecorder:
    def __init__(self, shift_s: float, agents: int) -> None:
        self.shift_s = shift_s
        self.last_change = np.zeros(agents)
        self.state_s = np.zeros(5)
        self.dial_times: list[float] = []
        self.live_times: list[float] = []
        self.abandon_times: list[float] = []
        self.amd_abandons = 0
        self.humans = 0
        self.connected_n = 0
        self.wait_total = 0.0
        self.decision_s: list[float] = []
        self.ratio_samples: list[tuple[float, float]] = []

    def agent_state(self, agent: int, old: int, new: int, now: float) -> None:
        start, end = min(self.last_change[agent], self.shift_s), min(now, self.shift_s)
        self.state_s[old] += max(0.0, end - start)
        self.last_change[agent] = now

    def dialed(self, now: float) -> None:
        self.dial_times.append(now)

    def human(self, now: float) -> None:
        self.humans += 1

    def connected(self, now: float, waited: float) -> None:
        self.connected_n += 1
        self.wait_total += waited
        self.live_times.append(now)

    def abandoned(self, now: float, by_amd: bool = False) -> None:
        self.amd_abandons += int(by_amd)
        self.abandon_times.append(now)
        self.live_times.append(now)

    def decision(self, now: float, seconds: float, view: SimView, dialed: int) -> None:
        self.decision_s.append(seconds)
        ratio = (view.snapshot.calls_ringing + dialed) / max(1, view.agents_active)
        self.ratio_samples.append((now, ratio))

    def result(self, strategy: str, scenario: str, seed: int, cpu_s: float) -> SimResult:
        abandons, live = len(self.abandon_times), len(self.live_times)
        busy, ready = self.state_s[TALK] + self.state_s[WRAP], self.state_s[READY]
        agent_hours = (busy + ready) / 3600.0
        ms = np.asarray(self.decision_s) * 1000.0
        t, ratio, ab = self._series()
        return SimResult(
            strategy=strategy,
            scenario=scenario,
            seed=seed,
            shift_s=self.shift_s,
            dials=len(self.dial_times),
            humans=self.humans,
            connected=self.connected_n,
            abandons=abandons,
            abandon_rate=abandons / live if live else 0.0,
            amd_abandons=self.amd_abandons,
            worst_hour_abandon=self._worst_hour(),
            occupancy=busy / (busy + ready) if busy + ready else 0.0,
            mean_wait_s=self.wait_total / self.connected_n if self.connected_n else 0.0,
            dials_per_agent_hour=len(self.dial_times) / agent_hours if agent_hours else 0.0,
            agent_hours=agent_hours,
            state_seconds={
                n: float(v)
                for n, v in zip(
                    ("out", "ready", "talk", "wrap", "paused"), self.state_s, strict=True
                )
            },
            decision_ms_mean=float(ms.mean()) if len(ms) else 0.0,
            decision_ms_max=float(ms.max()) if len(ms) else 0.0,
            cpu_s=cpu_s,
            series_t=t,
            series_ratio=ratio,
            series_abandon=ab,
        )

    def _worst_hour(self) -> float:
        """Highest abandon rate over sliding 1-hour windows (5-minute steps) of the shift."""
        if self.shift_s < 3600.0 or not self.live_times:
            return len(self.abandon_times) / len(self.live_times) if self.live_times else 0.0
        live = np.sort(np.asarray(self.live_times))
        ab = np.sort(np.asarray(self.abandon_times))
        starts = np.arange(0.0, self.shift_s - 3600.0 + 1.0, BUCKET_S)
        n_live = np.searchsorted(live, starts + 3600.0) - np.searchsorted(live, starts)
        n_ab = np.searchsorted(ab, starts + 3600.0) - np.searchsorted(ab, starts)
        rates = np.where(n_live > 0, n_ab / np.maximum(n_live, 1), 0.0)
        return float(rates.max())

    def _series(self) -> tuple[list[float], list[float], list[float]]:
        edges = np.arange(BUCKET_S, self.shift_s + BUCKET_S, BUCKET_S)
        samples = np.asarray(self.ratio_samples) if self.ratio_samples else np.zeros((0, 2))
        idx = np.minimum((samples[:, 0] // BUCKET_S).astype(np.int64), len(edges) - 1)
        sums = np.bincount(idx, weights=samples[:, 1], minlength=len(edges))
        counts = np.bincount(idx, minlength=len(edges))
        ratio = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
        live_c = np.searchsorted(np.sort(np.asarray(self.live_times)), edges)
        ab_c = np.searchsorted(np.sort(np.asarray(self.abandon_times)), edges)
        ab_rate = np.where(live_c > 0, 100.0 * ab_c / np.maximum(live_c, 1), 0.0)
        return edges.tolist(), ratio.tolist(), ab_rate.tolist()
