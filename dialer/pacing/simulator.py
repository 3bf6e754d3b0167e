"""Discrete-event campaign simulator in virtual time (heapq): hours of calling in seconds.

Traffic uses common random numbers: the n-th dial always meets the n-th list record (outcome,
ring time and the AMD verdict) and the k-th connected call the k-th talk/wrap-up sample, so
every strategy faces the same list and the same debtors for a given seed. AMD mistakes being
part of the record matters for fair comparisons: they are abandons no pacing can avoid, so
they must not differ between strategies by luck.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from dialer.pacing.engine import PacingSnapshot
from dialer.pacing.scenario import Duration, Scenario
from dialer.pacing.simresult import SimRecorder, SimResult
from dialer.pacing.stats import PacingStats

TICK, RESOLVE, TALK_END, WRAP_END, TIMEOUT, LOGIN, BREAK, BREAK_END, LOGOUT = range(9)
OUT, READY, TALK, WRAP, PAUSED = range(5)
H_OUT, M_OUT, B_OUT, N_OUT = range(4)  # human, machine, busy, no answer


@dataclass(frozen=True)
class SimView:
    """What a strategy may look at on each tick (a live dialer knows all of it)."""

    snapshot: PacingSnapshot
    stats: PacingStats
    agents_active: int  # logged in and not paused
    shift_s: float
    calls_talking: int  # answered calls an agent is on


class Strategy(Protocol):
    name: str

    def decide(self, view: SimView) -> int: ...


class _Stream:
    """Pre-drawn samples of one distribution, handed out in order (common random numbers)."""

    def __init__(self, draw: Callable[[int], np.ndarray]) -> None:
        self._draw, self._buf, self._i = draw, np.empty(0), 0

    def next(self) -> float:
        if self._i >= len(self._buf):
            self._buf, self._i = self._draw(4096), 0
        self._i += 1
        return float(self._buf[self._i - 1])


def _stream(seed: int, key: int, dist: Duration | None = None) -> _Stream:
    rng = np.random.default_rng([seed, key])
    if dist is None:
        return _Stream(lambda n: rng.random(n))
    return _Stream(lambda n: dist.sample(rng, n))


class Simulator:
    def __init__(
        self, scenario: Scenario, strategy: Strategy, seed: int = 1, hours: float | None = None
    ) -> None:
        self.sc, self.strategy, self.seed = scenario, strategy, seed
        self.shift_s = 3600.0 * (hours if hours is not None else scenario.hours)
        self.clairvoyant = bool(getattr(strategy, "clairvoyant", False))
        ring = scenario.ring
        self.u_outcome, self.u_amd = _stream(seed, 1), _stream(seed, 2)
        self.ring_h, self.ring_m, self.ring_b = (
            _stream(seed, k, d) for k, d in ((3, ring.human), (4, ring.machine), (5, ring.busy))
        )
        self.talk, self.wrap = _stream(seed, 6, scenario.talk), _stream(seed, 7, scenario.wrap)
        self.machine_talk = _stream(seed, 8, scenario.machine_talk)
        self.stats = PacingStats()
        self.rec = SimRecorder(self.shift_s, scenario.agents.count)
        n = scenario.agents.count
        self.state = np.full(n, OUT)
        self.phase_start = np.zeros(n)
        self.ready_since = np.zeros(n)
        self.pending = np.zeros(n, dtype=np.int64)  # 0 none, BREAK or LOGOUT after this call
        self.current: dict[int, tuple[float, float]] = {}  # agent -> (talk, wrap)
        self.ready: dict[int, None] = {}  # insertion order = longest idle first
        self.ringing: dict[int, float] = {}  # call id -> dial time
        self.amd_u: dict[int, float] = {}  # call id -> its record's AMD verdict uniform
        self.waiting: deque[int] = deque()
        self.waiting_set: set[int] = set()
        self.events: list[tuple[float, int, int, int, int]] = []
        self.seq = 0
        self.next_call = 0

    # --- plumbing --------------------------------------------------------------------------
    def _push(self, at: float, kind: int, a: int = 0, b: int = 0) -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, self.seq, kind, a, b))

    def run(self) -> SimResult:
        self._schedule_agents()
        self._push(0.0, TICK)
        handlers = {
            TICK: self._tick, RESOLVE: self._resolve, TALK_END: self._talk_end,
            WRAP_END: self._wrap_end, TIMEOUT: self._timeout, LOGIN: self._login,
            BREAK: self._break, BREAK_END: self._break_end, LOGOUT: self._logout,
        }  # fmt: skip
        started = time.perf_counter()
        while self.events:
            at, _, kind, a, b = heapq.heappop(self.events)
            handlers[kind](at, a, b)
        return self.rec.result(
            self.strategy.name, self.sc.name, self.seed, time.perf_counter() - started
        )

    def _schedule_agents(self) -> None:
        ag = self.sc.agents
        rng = np.random.default_rng([self.seed, 9])
        for i in range(ag.count):
            login = float(rng.uniform(0, min(ag.login_spread_s, self.shift_s / 4)))
            self._push(login, LOGIN, i)
            # Dialing stops at the shift's end; agents stay until the calls in flight resolve.
            self._push(self.shift_s + self.sc.ring.no_answer_timeout_s + 5.0, LOGOUT, i)
            lo, hi = login + 600.0, self.shift_s - ag.break_s - 600.0
            for _ in range(ag.breaks if hi > lo else 0):
                self._push(float(rng.uniform(lo, hi)), BREAK, i)

    # --- agents ----------------------------------------------------------------------------
    def _set(self, agent: int, state: int, now: float) -> None:
        old = int(self.state[agent])
        self.rec.agent_state(agent, old, state, now)
        if old == READY:
            self.ready.pop(agent, None)
        self.state[agent], self.phase_start[agent] = state, now
        if state == READY:
            self.ready[agent] = None
            self.ready_since[agent] = now

    def _available(self, agent: int, now: float) -> None:
        """Agent has nothing to do: honour a pending break/logout, else serve or wait."""
        pending, self.pending[agent] = int(self.pending[agent]), 0
        if pending == LOGOUT or now >= self.shift_s + self.sc.ring.no_answer_timeout_s + 5.0:
            self._set(agent, OUT, now)
        elif pending == BREAK:
            self._set(agent, PAUSED, now)
            self._push(now + self.sc.agents.break_s, BREAK_END, agent)
        elif self.clairvoyant:
            self._clairvoyant_connect(agent, now)
        else:
            self._set(agent, READY, now)
            self._serve_queue(now)

    def _login(self, now: float, agent: int, _b: int) -> None:
        self._available(agent, now)

    def _logout(self, now: float, agent: int, _b: int) -> None:
        if self.state[agent] in (READY, PAUSED):
            self._set(agent, OUT, now)
        elif self.state[agent] != OUT:
            self.pending[agent] = LOGOUT

    def _break(self, now: float, agent: int, _b: int) -> None:
        if self.state[agent] == READY:
            self._set(agent, PAUSED, now)
            self._push(now + self.sc.agents.break_s, BREAK_END, agent)
        elif self.state[agent] in (TALK, WRAP):
            self.pending[agent] = BREAK

    def _break_end(self, now: float, agent: int, _b: int) -> None:
        if self.state[agent] == PAUSED:
            self._available(agent, now)

    def _connect(self, agent: int, now: float, machine: bool) -> None:
        self.rec.connected(
            now, now - float(self.ready_since[agent]) if self.state[agent] == READY else 0.0
        )
        self.stats.record_connected(now)
        talk = self.machine_talk.next() if machine else self.talk.next()
        wrap = 0.0 if machine else self.wrap.next()
        self.current[agent] = (talk, wrap)
        self._set(agent, TALK, now)
        self._push(now + talk, TALK_END, agent)

    def _talk_end(self, now: float, agent: int, _b: int) -> None:
        self._set(agent, WRAP, now)
        self._push(now + self.current[agent][1], WRAP_END, agent)

    def _wrap_end(self, now: float, agent: int, _b: int) -> None:
        talk, wrap = self.current.pop(agent)
        self.stats.record_talk(talk, wrap)
        self._available(agent, now)

    # --- calls -----------------------------------------------------------------------------
    def _tick(self, now: float, _a: int, _b: int) -> None:
        if now >= self.shift_s:
            return
        self._push(now + self.sc.tick_s, TICK)
        if self.clairvoyant:
            return
        view = self._view(now)
        started = time.perf_counter()
        n = self.strategy.decide(view)
        self.rec.decision(now, time.perf_counter() - started, view, n)
        for _ in range(max(0, n)):
            self._dial(now)

    def _view(self, now: float) -> SimView:
        talk = self.state == TALK
        # An agent who asked for a break or to log out will not be free: the ACD knows that.
        busy = (talk | (self.state == WRAP)) & (self.pending == 0)
        elapsed = now - self.phase_start[busy]
        t_el = np.where(talk[busy], elapsed, np.nan)
        w_el = np.where(talk[busy], np.nan, elapsed)
        free_in = self.stats.expected_free_in(t_el, w_el)
        logged = int(np.count_nonzero(self.state != OUT))
        snap = PacingSnapshot(
            now=now,
            agents_logged_in=logged,
            agents_ready=len(self.ready),
            busy_agents_free_in=free_in,
            calls_ringing=len(self.ringing),
            calls_waiting_for_agent=len(self.waiting_set),
            ringing_elapsed=[now - t for t in self.ringing.values()],
        )
        active = logged - int(np.count_nonzero(self.state == PAUSED))
        return SimView(snap, self.stats, active, self.shift_s, int(np.count_nonzero(talk)))

    def _record(self, now: float) -> tuple[int, float, float]:
        """The list's next record: outcome, seconds until it resolves, AMD verdict uniform."""
        frac = now / self.shift_s
        ans = self.sc.answer
        u, amd_u = self.u_outcome.next(), self.u_amd.next()
        p_h, p_m, p_b = ans.human.at(frac), ans.machine.at(frac), ans.busy.at(frac)
        timeout = self.sc.ring.no_answer_timeout_s
        if u < p_h:
            return H_OUT, min(self.ring_h.next(), timeout - 0.5), amd_u
        if u < p_h + p_m:
            return M_OUT, min(self.ring_m.next(), timeout - 0.5), amd_u
        if u < p_h + p_m + p_b:
            return B_OUT, self.ring_b.next(), amd_u
        return N_OUT, timeout, amd_u

    def _dial(self, now: float) -> None:
        kind, ring, amd_u = self._record(now)
        call = self.next_call
        self.next_call += 1
        self.ringing[call] = now
        self.amd_u[call] = amd_u
        self.stats.record_dial(now)
        self.rec.dialed(now)
        self._push(now + ring, RESOLVE, call, kind)

    def _resolve(self, now: float, call: int, kind: int) -> None:
        ring = now - self.ringing.pop(call)
        amd_u = self.amd_u.pop(call)
        if kind == H_OUT:
            self.rec.human(now)
            if amd_u < self.sc.amd.false_positive:  # hung up on as a machine: abandoned
                self.stats.record_outcome(now, ring, human=False, machine=True)
                # Known here for certain; a live dialer counts its estimated share instead.
                self.stats.record_machine_verdict(now, 1.0)
                self.rec.abandoned(now, by_amd=True)
                return
            self.stats.record_outcome(now, ring, human=True, machine=False)
            self._needs_agent(call, now, machine=False)
        elif kind == M_OUT:
            missed = amd_u < self.sc.amd.false_negative
            self.stats.record_outcome(now, ring, human=missed, machine=not missed)
            if missed:
                self._needs_agent(call, now, machine=True)
        else:
            self.stats.record_outcome(now, ring, human=False, machine=False)

    def _needs_agent(self, call: int, now: float, machine: bool) -> None:
        if machine:
            call = -call - 1  # negative ids carry "machine" to the agent's talk time
        self.waiting.append(call)
        self.waiting_set.add(call)
        self._serve_queue(now)
        if call in self.waiting_set:
            self._push(now + self.sc.connect_window_s, TIMEOUT, call)

    def _serve_queue(self, now: float) -> None:
        while self.waiting and self.ready:
            call = self.waiting.popleft()
            if call not in self.waiting_set:
                continue
            self.waiting_set.discard(call)
            self._connect(next(iter(self.ready)), now, machine=call < 0)

    def _timeout(self, now: float, call: int, _b: int) -> None:
        if call in self.waiting_set:
            self.waiting_set.discard(call)
            self.stats.record_abandon(now)
            self.rec.abandoned(now)

    # --- clairvoyant bound -----------------------------------------------------------------
    def _clairvoyant_connect(self, agent: int, now: float) -> None:
        """Knowing every record's outcome and every agent's free time, the ideal dialer has
        placed the call ring-time earlier so a human answers the instant the agent frees; it
        skips nothing it must not, and the records it passes over still count as dials."""
        while True:
            kind, _ring, amd_u = self._record(now)
            self.rec.dialed(now)
            if kind == H_OUT and amd_u >= self.sc.amd.false_positive:
                break
        self.rec.human(now)
        self.ready_since[agent] = now
        self._set(agent, READY, now)
        self._connect(agent, now, machine=False)


def simulate(
    scenario: Scenario, strategy: Strategy, seed: int = 1, hours: float | None = None
) -> SimResult:
    return Simulator(scenario, strategy, seed, hours).run()
