"""The agent state machine: named states, named events, one table of legal transitions.

Pure: every method takes `now` so the simulator can drive it in virtual time and the
hypothesis test can check that time accounting adds up. Each accepted event returns a
`StateChange` that the facade stores (AgentStateEvent) and publishes to the dashboard.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from acd.errors import IllegalTransitionError, PauseReasonRequiredError


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    RESERVED = "reserved"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class AgentEvent(StrEnum):
    LOGIN = "login"
    READY = "ready"
    RESERVE = "reserve"
    CONNECT = "connect"
    CALL_ENDED = "call_ended"
    WRAPUP_DONE = "wrapup_done"
    WRAPUP_EXTEND = "wrapup_extend"
    PAUSE = "pause"
    PAUSE_AFTER_CALL = "pause_after_call"
    RELEASE = "release"
    LOGOUT = "logout"
    PHONE_LOST = "phone_lost"


# Reason of the PAUSED state right after login: the agent is not ready until they say so
# (their phone must first be in its session). Not a break, so it never overruns.
LOGIN_PAUSE = "login"

S, E = AgentState, AgentEvent
# (state, event) -> next state. WRAPUP_DONE's target is READY unless a break was asked
# while busy (pause_after_call): then it is PAUSED; `fire` resolves that case.
TRANSITIONS: dict[tuple[AgentState, AgentEvent], AgentState] = {
    (S.LOGGED_OUT, E.LOGIN): S.PAUSED,
    (S.PAUSED, E.READY): S.READY,
    (S.PAUSED, E.PAUSE): S.PAUSED,
    (S.READY, E.PAUSE): S.PAUSED,
    (S.READY, E.RESERVE): S.RESERVED,
    (S.RESERVED, E.RELEASE): S.READY,
    (S.RESERVED, E.CONNECT): S.ON_CALL,
    (S.ON_CALL, E.CALL_ENDED): S.WRAP_UP,
    (S.WRAP_UP, E.WRAPUP_EXTEND): S.WRAP_UP,
    (S.WRAP_UP, E.WRAPUP_DONE): S.READY,
    (S.WRAP_UP, E.PAUSE): S.PAUSED,
    (S.RESERVED, E.PAUSE_AFTER_CALL): S.RESERVED,
    (S.ON_CALL, E.PAUSE_AFTER_CALL): S.ON_CALL,
    (S.WRAP_UP, E.PAUSE_AFTER_CALL): S.WRAP_UP,
    (S.READY, E.LOGOUT): S.LOGGED_OUT,
    (S.PAUSED, E.LOGOUT): S.LOGGED_OUT,
    (S.WRAP_UP, E.LOGOUT): S.LOGGED_OUT,
    # The phone left its session: whatever the agent was doing, they can take no call.
    **{(state, E.PHONE_LOST): S.LOGGED_OUT for state in AgentState if state != S.LOGGED_OUT},
}
del S, E

# States in which the agent holds a call the ACD must not lose.
BUSY_STATES = frozenset({AgentState.RESERVED, AgentState.ON_CALL})


@dataclass(frozen=True)
class StateChange:
    """One accepted event: what AgentStateEvent stores and the dashboard receives."""

    login: str
    event: AgentEvent
    from_state: AgentState
    to_state: AgentState
    at: datetime
    reason: str | None = None
    attempt_id: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "type": "agent_state",
            "login": self.login,
            "state": self.to_state.value,
            "since": self.at.isoformat(),
            "reason": self.reason,
            "event": self.event.value,
        }


@dataclass
class AgentStateMachine:
    """One agent's state, how long they have been in it, and time totals per state."""

    login: str
    state: AgentState = AgentState.LOGGED_OUT
    since: datetime | None = None
    reason: str | None = None  # pause reason while PAUSED
    attempt_id: int | None = None  # the call while RESERVED / ON_CALL / WRAP_UP
    pending_pause: str | None = None  # break asked while busy, taken when wrap-up ends
    totals: dict[AgentState, float] = field(default_factory=lambda: defaultdict(float))
    pause_totals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    first_seen: datetime | None = None
    accounted_until: datetime | None = None  # totals include time up to here

    def can(self, event: AgentEvent) -> bool:
        return (self.state, event) in TRANSITIONS

    def fire(
        self,
        event: AgentEvent,
        now: datetime,
        *,
        reason: str | None = None,
        attempt_id: int | None = None,
    ) -> StateChange:
        """Apply `event` at `now`; raise IllegalTransitionError (state unchanged) if refused."""
        target = TRANSITIONS.get((self.state, event))
        if target is None:
            raise IllegalTransitionError(self.login, self.state.value, event.value)
        if event is AgentEvent.LOGIN:
            reason = reason or LOGIN_PAUSE
        elif event in (AgentEvent.PAUSE, AgentEvent.PAUSE_AFTER_CALL) and not reason:
            raise PauseReasonRequiredError(self.login)
        if event is AgentEvent.PAUSE_AFTER_CALL:
            self.pending_pause = reason
            return StateChange(self.login, event, self.state, self.state, now, reason, attempt_id)
        if event is AgentEvent.WRAPUP_DONE and self.pending_pause is not None:
            target, reason = AgentState.PAUSED, self.pending_pause
        self._account(now)
        change = StateChange(
            self.login, event, self.state, target, now, reason, attempt_id or self.attempt_id
        )
        if target is not self.state or event is AgentEvent.PAUSE:
            self.since = now  # a new pause reason restarts the break clock
        self.state = target
        self.reason = reason if target is AgentState.PAUSED else None
        if target in (AgentState.READY, AgentState.PAUSED, AgentState.LOGGED_OUT):
            self.attempt_id = None
        elif attempt_id is not None:
            self.attempt_id = attempt_id
        if target in (AgentState.PAUSED, AgentState.LOGGED_OUT):
            self.pending_pause = None
        return change

    def _account(self, now: datetime) -> None:
        """Add the time spent in the current state (and pause reason) up to `now`."""
        if self.accounted_until is None:
            self.first_seen = self.accounted_until = now
            return
        spent = max(0.0, (now - self.accounted_until).total_seconds())
        self.totals[self.state] += spent
        if self.state is AgentState.PAUSED and self.reason is not None:
            self.pause_totals[self.reason] += spent
        self.accounted_until = max(now, self.accounted_until)

    def time_in_state(self, now: datetime) -> float:
        return 0.0 if self.since is None else max(0.0, (now - self.since).total_seconds())

    def totals_at(self, now: datetime) -> dict[AgentState, float]:
        """Seconds per state since first seen, the current state counted up to `now`."""
        totals = dict(self.totals)
        if self.accounted_until is not None:
            extra = max(0.0, (now - self.accounted_until).total_seconds())
            totals[self.state] = totals.get(self.state, 0.0) + extra
        return totals
