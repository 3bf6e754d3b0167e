"""Predictive pacing: how many calls to place now, never breaking the abandon target.

The model (one decision, myopic, re-taken every second or so):

* Over the next H seconds (the ring horizon) a call placed now is answered by a human in
  second j with probability h_j (recent outcomes, age-weighted, scaled to the trend-corrected
  answer rate). Q_j = h_0 + ... + h_j. Calls already ringing use the same profile conditioned
  on how long they have rung; callers waiting for an agent are demand from the start.
* Supply by time t is the ready agents plus each busy agent i with probability
  P_i(t) = Phi((t + w - f_i) / (cv * f_i + sd)), where f_i is the ACD's "free in" estimate and w
  the connect window (a caller waits w seconds for an agent before the call is abandoned).
* Free agents wait, callers do not, so the callers lost by the horizon are
  sup_t (D(t) - S(t))^+. D and S are sums of Bernoulli trials; X_j(n) = D - S at second j
  has mean mu_j + n Q_j, variance var_j + n Q_j(1-Q_j) and third cumulant k_j + n Q_j(1-Q_j)
  (1-2Q_j). The expected loss with n new calls is L(n) = max_j E[(X_j(n))^+], from the normal
  with a first-order Edgeworth (skewness) term: a handful of answers has a heavier right tail
  than the normal, and at low abandon targets that tail is all that matters (without the term
  the model under-predicted abandons two- to threefold for teams of 10-50 agents).
  L is convex in n, so the abandon probability of the marginal call,
  m(n) = (L(n) - L(n-1)) / p, grows with n.
* We place the largest n with m(n) <= theta. theta comes from the campaign's abandon budget
  B = aim * answered - abandoned, where aim = target * (1 - margin) and the margin widens to
  safety_z standard errors while few calls are answered (small teams, early in the day).
  With B' = B - L(0) (the loss already expected from calls in flight):
  theta = aim * aggressiveness * intensity * clip(B' / reserve, 0, sqrt(agents / 10)),
  never below aim * min_allowance (scaled down for teams under 30 agents): a call whose
  abandon risk is well under the aim still pulls the campaign's rate down. A healthy budget
  lets the marginal call carry more risk than the target (the average call carries far less);
  a spent budget leaves only those low-risk calls and the progressive floor, and an overdrawn
  one fades the low-risk floor too, to a fifth (the model under-predicts for small teams, and
  abandons no pacing avoids - AMD mistakes - draw on the same budget). Once the calls pacing
  itself dropped, with AMD's, pass the aim by a full reserve or the target, the model is not
  asked at all: progressive until the budget recovers, because a model that is badly off
  (mistuned, or traffic unlike anything it assumes) may call every risk nil, which no allowance
  restrains. AMD's mistakes alone never set it aside (progressive would not undo them): pacing
  keeps a share of the budget for its own drops. This integral feedback keeps the campaign
  under the target even when the statistical model is off.
* Short-window guard: the last guard_window_s (an hour) has its own budget, computed the same
  way from that window's answers and abandons, and the tighter of the two applies. Budget saved
  in a quiet morning is then spent slowly instead of in one burst of abandons.
* Bounds: progressive is the floor, max_ratio (ringing lines per agent ready or expected free
  within H) and max_lines_per_agent are the ceilings. Too few agents or too little data:
  progressive. Everything is numpy over agents x time bins: well under 5 ms at 1,000 agents.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from dialer.pacing.normal import expected_positive_part, normal_cdf
from dialer.pacing.settings import PacingMode, PacingSettings
from dialer.pacing.stats import FloatArray, PacingStats

log = logging.getLogger(__name__)

HORIZON_S = 45  # calls unanswered after this long hardly ever become humans
FULL_FLOOR_AGENTS = 30  # team size from which min_allowance applies in full
MAX_MARGINAL_RISK = 0.3  # no single call is placed with a worse chance of being abandoned
MIN_FADE = 0.2  # share of the low-risk floor an overdrawn budget still leaves
# Share of the budget the calls pacing drops may always use: when AMD's mistakes alone overrun
# the target, progressive would not keep it either, and the least risky overdial costs a few
# abandons in ten thousand.
PACING_SHARE = 0.2


@dataclass(frozen=True)
class PacingSnapshot:
    """What the ACD and the call tracker know right now."""

    now: float
    agents_logged_in: int
    agents_ready: int
    busy_agents_free_in: Sequence[float] | FloatArray  # per busy agent: seconds until free
    calls_ringing: int
    calls_waiting_for_agent: int
    ringing_elapsed: (
        Sequence[float] | FloatArray
    ) = ()  # optional: seconds each ringing call has rung
    calls_in_ivr: int = 0  # AGENTLESS: answered calls held by the IVR


@dataclass(frozen=True)
class PacingDecision:
    dial: int
    mode: PacingMode
    reason: str
    ratio: float  # ringing lines (after dialing) per agent ready or free soon
    predicted_abandon: float  # abandon probability of the marginal (last) call placed
    answer_rate: float
    expected_abandons: float = 0.0  # callers expected lost among calls in flight + new
    allowance: float = 0.0  # marginal abandon probability allowed now (theta)
    budget: float = 0.0  # abandons still allowed by the campaign target
    abandon_rate: float = 0.0  # campaign so far
    agents_free_soon: int = 0
    capped_by: str = ""
    numbers: dict[str, float] = field(default_factory=dict)


class PacingEngine:
    def __init__(self, settings: PacingSettings | None = None) -> None:
        self.settings = settings if settings is not None else PacingSettings()

    def decide(self, snapshot: PacingSnapshot, stats: PacingStats) -> PacingDecision:
        s = self.settings
        if s.mode is PacingMode.PREVIEW:
            return self._simple(snapshot, stats, 0, "preview: agents dial by hand")
        if s.mode is PacingMode.AGENTLESS:
            lines = s.agentless_lines or snapshot.agents_logged_in
            busy = snapshot.calls_ringing + snapshot.calls_in_ivr + snapshot.calls_waiting_for_agent
            n = max(0, lines - busy)
            return self._simple(
                snapshot, stats, n, f"agentless: keep {lines} lines busy", cap=False
            )
        if s.mode is PacingMode.PROGRESSIVE:
            return self._simple(
                snapshot, stats, _progressive(snapshot), "progressive: 1 line/agent"
            )
        if snapshot.agents_logged_in < s.min_agents_predictive:
            why = f"progressive fallback: {snapshot.agents_logged_in} agents logged in"
            return self._simple(
                snapshot, stats, _progressive(snapshot), f"{why} (< {s.min_agents_predictive})"
            )
        if stats.live_answers < s.min_answers_predictive:
            why = f"progressive fallback: {stats.live_answers} answered calls so far"
            return self._simple(
                snapshot, stats, _progressive(snapshot), f"{why} (< {s.min_answers_predictive})"
            )
        return self._predictive(snapshot, stats)

    # ------------------------------------------------------------------------------------
    def _simple(
        self, snap: PacingSnapshot, stats: PacingStats, n: int, reason: str, cap: bool = True
    ) -> PacingDecision:
        if cap:  # agentless lines are not tied to agents
            n = min(n, self._lines_cap(snap))
        free_soon = int(np.count_nonzero(np.asarray(snap.busy_agents_free_in) <= HORIZON_S))
        avail = snap.agents_ready + free_soon
        return PacingDecision(
            dial=max(0, n),
            mode=self.settings.mode,
            reason=reason,
            ratio=(snap.calls_ringing + max(0, n)) / max(1, avail),
            predicted_abandon=0.0,
            answer_rate=stats.answer_estimate(snap.now).rate,
            abandon_rate=stats.abandon_rate,
            agents_free_soon=free_soon,
        )

    def _lines_cap(self, snap: PacingSnapshot) -> int:
        limit = math.floor(self.settings.max_lines_per_agent * snap.agents_logged_in)
        return max(0, limit - snap.calls_ringing - snap.calls_waiting_for_agent)

    def _predictive(self, snap: PacingSnapshot, stats: PacingStats) -> PacingDecision:
        s = self.settings
        est = stats.answer_estimate(snap.now)
        p = est.rate
        q_fresh, q_ring = _demand_profiles(snap, stats, p)
        mu_s, var_s, k3_s, free_soon = _supply(
            snap, s.connect_window_s, s.free_in_cv, s.free_in_sd_s
        )
        # Cumulants of callers less agents: D is a sum of Bernoulli answers, S of Bernoulli frees.
        mu0 = snap.calls_waiting_for_agent + q_ring.sum(axis=0) - mu_s
        var0 = _bernoulli_var(q_ring).sum(axis=0) + var_s
        k3_0 = _bernoulli_k3(q_ring).sum(axis=0) - k3_s

        avail_agents = snap.agents_ready + free_soon
        ratio_cap = max(0, math.floor(s.max_ratio * avail_agents) - snap.calls_ringing)
        lines_cap = self._lines_cap(snap)
        n_cap = min(ratio_cap, lines_cap)
        curve = _LossCurve((mu0, var0, k3_0), q_fresh, p)
        loss0 = float(curve.loss(np.zeros(1))[0])

        theta, budget, spare = self._allowance(snap, stats, loss0)
        if theta > 0:
            n_model, loss_n, marginal_n = curve.largest_within(theta, n_cap, loss0)
        else:  # overdrawn: progressive only
            n_model, loss_n, marginal_n = 0, loss0, 0.0
        floor = min(_progressive(snap), lines_cap)
        n = max(n_model, floor)
        capped_by = ""
        if n_model == n_cap and n_cap > 0 and p > 0:
            capped_by = "max_ratio" if ratio_cap <= lines_cap else "max_lines_per_agent"
        if n > n_model:  # the progressive floor: score its last call too
            pair = curve.loss(np.array([n - 1.0, float(n)]))
            loss_n, marginal_n = float(pair[1]), float(pair[1] - pair[0]) / max(p, 1e-6)
        pred = marginal_n if n >= 1 else 0.0
        reason = _reason(n, n_model, floor, theta, spare, capped_by, p)
        return PacingDecision(
            dial=n,
            mode=s.mode,
            reason=reason,
            ratio=(snap.calls_ringing + n) / max(1, avail_agents),
            predicted_abandon=min(1.0, max(0.0, pred)),
            answer_rate=p,
            expected_abandons=loss_n,
            allowance=theta,
            budget=budget,
            abandon_rate=stats.abandon_rate,
            agents_free_soon=free_soon,
            capped_by=capped_by,
            numbers={
                "answer_trend_per_hour": est.slope_per_hour,
                "expected_supply_horizon": float(mu_s[-1]),
                "expected_demand_in_flight": float(mu0[-1] + mu_s[-1]),
                "recent_abandon_rate": stats.recent_abandon_rate(snap.now),
                "progressive_floor": float(floor),
                "model_dials": float(n_model),
                "loss_in_flight": loss0,
            },
        )

    def _allowance(
        self, snap: PacingSnapshot, stats: PacingStats, loss0: float
    ) -> tuple[float, float, float]:
        """theta (the marginal call's allowed abandon risk), the campaign budget, and the spare
        budget: the tighter of the campaign's and the guard window's, less the loss in flight."""
        s = self.settings
        aim = _aim(s, stats.answers_counted)
        aimed = aim * stats.answers_counted
        budget = aimed - stats.abandons_counted
        spare = budget - loss0
        # The margin below the target is for luck, not for a model that is off: once the calls
        # pacing dropped (AMD's mistakes are not pacing's) pass the aim by a full reserve, or
        # the target, progressive whatever the model says.
        limit = min(aimed + s.budget_reserve, s.target_abandon * stats.answers_counted)
        pacing_limit = max(limit - stats.amd_false_positives, PACING_SHARE * aimed)
        if stats.abandons_total + loss0 > pacing_limit:
            return 0.0, budget, spare
        pooling = math.sqrt(snap.agents_logged_in / 10.0)
        # Integral feedback: unused budget buys risk for the marginal call, up to a cap.
        # Big teams average out their luck, so they may spend saved budget faster.
        gain = min(max(0.0, spare / s.budget_reserve), pooling)
        if s.guard_window_s > 0:
            # Budget saved early in the day must not be spent in one burst: the last hour
            # answers to the target too (Ofcom's 24 h would hide the spike, debtors would not),
            # and its budget is spent pooling times more slowly: an hour has less to average.
            answered, abandoned = stats.window_counts(snap.now, s.guard_window_s)
            spare_window = _aim(s, answered) * answered - abandoned - loss0
            gain = min(gain, max(0.0, spare_window / (s.budget_reserve * pooling)))
            spare = min(spare, spare_window)
        theta = min(aim * s.aggressiveness * s.intensity * gain, MAX_MARGINAL_RISK)
        # The normal approximations are rough for a handful of agents: earn the floor by size.
        # An overdrawn budget fades the floor (the model's small risks are not zero; ordinary
        # luck is no reason to, so the fade scales with the team's noise), down to MIN_FADE.
        size = min(1.0, snap.agents_logged_in / FULL_FLOOR_AGENTS)
        fade = max(MIN_FADE, min(1.0, 1.0 + spare / (s.budget_reserve * max(1.0, pooling))))
        theta = max(theta, aim * s.min_allowance * size * fade)
        return theta, budget, spare


def _aim(s: PacingSettings, answered: float) -> float:
    """The abandon rate actually aimed at: the target less a margin for bad luck."""
    t = s.target_abandon
    noise = s.safety_z * math.sqrt((1.0 - t) / (t * max(answered, 1)))
    return t * (1.0 - min(0.5, max(s.safety_margin, noise)))


class _LossCurve:
    """L(n): expected callers lost with n new dials (max over time bins of E[(D - S)^+])."""

    def __init__(
        self, in_flight: tuple[FloatArray, FloatArray, FloatArray], q: FloatArray, p: float
    ) -> None:
        self.mu0, var0, self.k3_0 = in_flight  # per time bin: mean, variance, third cumulant
        self.var0, self.q, self.p = var0 + 1e-9, q, max(p, 1e-6)
        self.qvar, self.qk3 = _bernoulli_var(q), _bernoulli_k3(q)

    def loss(self, ns: FloatArray) -> FloatArray:
        n = ns[:, None]
        loss = expected_positive_part(
            self.mu0 + n * self.q, self.var0 + n * self.qvar, self.k3_0 + n * self.qk3
        )
        return np.asarray(loss.max(axis=1), dtype=np.float64)

    def largest_within(self, theta: float, n_cap: int, loss0: float) -> tuple[int, float, float]:
        """Largest n <= n_cap whose marginal abandon probability is <= theta, with L(n) and
        that marginal. L is convex, so scan growing blocks and stop at the first miss: the
        usual answer is small and this keeps 1,000-agent decisions cheap."""
        start, size, last_loss, last_marginal = 0, 16, loss0, 0.0
        while start < n_cap:
            stop = min(n_cap, start + size)
            losses = self.loss(np.arange(start + 1, stop + 1, dtype=np.float64))
            marginal = np.diff(np.concatenate(([last_loss], losses))) / self.p
            bad = np.flatnonzero(marginal > theta)
            if len(bad):
                k = int(bad[0])
                if k == 0:
                    return start, last_loss, last_marginal
                return start + k, float(losses[k - 1]), float(marginal[k - 1])
            start, size = stop, size * 4
            last_loss, last_marginal = float(losses[-1]), float(marginal[-1])
        return n_cap, last_loss, last_marginal


def _progressive(snap: PacingSnapshot) -> int:
    return max(0, snap.agents_ready - snap.calls_ringing - snap.calls_waiting_for_agent)


def _demand_profiles(
    snap: PacingSnapshot, stats: PacingStats, p: float
) -> tuple[FloatArray, FloatArray]:
    """Cumulative human-answer probability by second for a fresh dial, and per ringing call."""
    pmf, resolved = stats.ring_profile(snap.now, HORIZON_S)
    total = float(pmf.sum())
    q = np.cumsum(pmf) * (p / total) if total > 0 else np.zeros(HORIZON_S + 1)
    n_ring = snap.calls_ringing
    if n_ring == 0:
        return q, np.zeros((0, HORIZON_S + 1))
    if len(snap.ringing_elapsed) != n_ring:  # unknown ages: treat as fresh (cautious)
        return q, np.broadcast_to(q, (n_ring, HORIZON_S + 1))
    k = np.clip(np.asarray(snap.ringing_elapsed, dtype=np.int64), 0, HORIZON_S)
    q_before = np.where(k > 0, q[k - 1], 0.0)
    survive = np.where(k > 0, 1.0 - resolved[k - 1], 1.0)
    idx = np.minimum(k[:, None] + np.arange(HORIZON_S + 1)[None, :], HORIZON_S)
    cond = (q[idx] - q_before[:, None]) / np.maximum(survive, 0.02)[:, None]
    return q, np.clip(cond, 0.0, 1.0)


def _bernoulli_var(q: FloatArray) -> FloatArray:
    return np.asarray(q * (1.0 - q), dtype=np.float64)


def _bernoulli_k3(q: FloatArray) -> FloatArray:
    return np.asarray(q * (1.0 - q) * (1.0 - 2.0 * q), dtype=np.float64)


def _supply(
    snap: PacingSnapshot, window: float, cv: float, sd: float
) -> tuple[FloatArray, FloatArray, FloatArray, int]:
    """Mean, variance and third cumulant of agents available by each second (+ connect
    window)."""
    t = np.arange(1, HORIZON_S + 2, dtype=np.float64) + window
    f = np.asarray(snap.busy_agents_free_in, dtype=np.float64)
    free_soon = int(np.count_nonzero(f <= HORIZON_S))
    if len(f) == 0:
        flat = np.zeros(len(t))
        return flat + snap.agents_ready, flat, flat, 0
    sigma = cv * np.maximum(f, 0.0) + max(sd, 0.5)
    near = f - 5.0 * sigma < t[-1]  # the others cannot be free within the horizon
    f, sigma = f[near], sigma[near]
    # Supply is smooth in time: evaluate it every 3 s and interpolate (halves the work).
    coarse = t[::3] if (len(t) - 1) % 3 == 0 else np.append(t[::3], t[-1])
    prob = normal_cdf((coarse[None, :] - f[:, None]) / sigma[:, None])
    mean = np.interp(t, coarse, prob.sum(axis=0))
    var = np.interp(t, coarse, _bernoulli_var(prob).sum(axis=0))
    k3 = np.interp(t, coarse, _bernoulli_k3(prob).sum(axis=0))
    return snap.agents_ready + mean, var, k3, free_soon


def _reason(
    n: int, n_model: int, floor: int, theta: float, spare: float, capped: str, p: float
) -> str:
    if p <= 0:
        return f"predictive: no human answers seen recently, progressive floor {floor}"
    if capped:
        return f"predictive: {n} dials, capped by {capped}"
    if theta <= 0:
        return f"predictive: abandon budget overdrawn ({spare:.1f}): progressive, {n} dials"
    if spare <= 0:
        return f"predictive: abandon budget used up ({spare:.1f}): {n} dials at risk <= {theta:.3f}"
    if n > n_model:
        return f"predictive: progressive floor {n} (model allows {n_model})"
    return f"predictive: {n} dials, marginal abandon risk <= {theta:.3f} (budget {spare:.1f})"
