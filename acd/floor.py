"""AgentFloor: the agents' side of the ACD — states, reservations, timers, pacing figures.

All methods are synchronous and in-memory (a routing decision must not wait for I/O);
state changes go to a `StateStore` (batched database writes) and to subscribers
(the dashboard's event stream). Timers (wrap-up end, break overrun, unused reservation,
queue wait limit) run on the asyncio loop when there is one; `tick()` does the same work
on demand, so the simulator can drive the ACD in virtual time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from acd.agent_state import BUSY_STATES, LOGIN_PAUSE, AgentEvent, AgentState, StateChange
from acd.agent_state import AgentStateMachine as Machine
from acd.errors import (
    AgentBusyError,
    AlreadyLoggedInError,
    StaleReservationError,
    UnknownAgentError,
    UnknownPauseReasonError,
)
from acd.figures import busy_free_in, describe, totals
from acd.records import AcdSettings, AgentRecord, LostCall, Reservation
from acd.routing import ReadyIndex, Requirement
from acd.stats import HandleTimeStats
from acd.store import DEFAULT_PAUSE_REASONS, AgentProfile, PauseReasonInfo, StateStore
from dialer.db.types import utcnow

log = logging.getLogger(__name__)

Subscriber = Callable[[dict[str, Any]], None]
SkillSpec = Requirement | Mapping[str, Any] | None


class AgentFloor:
    """Agents, their states, reservations and figures; `Acd` adds the queues."""

    def __init__(
        self,
        *,
        settings: AcdSettings | None = None,
        store: StateStore | None = None,
        clock: Callable[[], datetime] = utcnow,
        pause_reasons: Iterable[PauseReasonInfo] = DEFAULT_PAUSE_REASONS,
    ) -> None:
        self.settings = settings or AcdSettings()
        self.stats = HandleTimeStats()
        self._store = store
        self._clock = clock
        self._agents: dict[str, AgentRecord] = {}
        self._ready = ReadyIndex()
        self._busy: set[str] = set()
        self._reasons = {r.code: r for r in pause_reasons}
        self._subscribers: list[Subscriber] = []
        self._tokens = itertools.count(1)
        self._timer: asyncio.TimerHandle | None = None

    # ----- directory -----------------------------------------------------------------
    def add_agent(self, profile: AgentProfile) -> None:
        known = self._agents.get(profile.login)
        if known is not None:
            known.profile = profile  # skills edited: effective from the next READY
            return
        self._agents[profile.login] = AgentRecord(profile, Machine(profile.login))

    def remove_agent(self, login: str) -> None:
        """Forget an agent; refused (AgentBusyError) while they hold a call."""
        agent = self._get(login)
        if agent.machine.state in BUSY_STATES:
            raise AgentBusyError(login, agent.machine.state.value, "delete the agent")
        if agent.machine.state is not AgentState.LOGGED_OUT:
            self._fire(agent, AgentEvent.LOGOUT)
        del self._agents[login]

    def add_pause_reason(self, reason: PauseReasonInfo) -> None:
        self._reasons[reason.code] = reason

    def pause_reasons(self) -> list[PauseReasonInfo]:
        return list(self._reasons.values())

    def profile(self, login: str) -> AgentProfile:
        return self._get(login).profile

    def state_of(self, login: str) -> AgentState:
        return self._get(login).machine.state

    # ----- agent actions -------------------------------------------------------------
    def login(self, login: str) -> StateChange:
        """LOGGED_OUT -> PAUSED(login): not offered calls until `ready`."""
        agent = self._get(login)
        if agent.machine.state is not AgentState.LOGGED_OUT:
            raise AlreadyLoggedInError(login, agent.machine.state.value)
        return self._fire(agent, AgentEvent.LOGIN, reason=LOGIN_PAUSE)

    def ready(self, login: str) -> StateChange:
        return self._fire(self._get(login), AgentEvent.READY)

    def pause(self, login: str, reason_code: str) -> StateChange:
        """Pause now; if the agent holds a call, the break starts when wrap-up ends."""
        if reason_code not in self._reasons:
            raise UnknownPauseReasonError(reason_code, sorted(self._reasons))
        agent = self._get(login)
        if agent.machine.state in BUSY_STATES:
            return self._fire(agent, AgentEvent.PAUSE_AFTER_CALL, reason=reason_code)
        return self._fire(agent, AgentEvent.PAUSE, reason=reason_code)

    def logout(self, login: str) -> StateChange:
        agent = self._get(login)
        if agent.machine.state in BUSY_STATES:
            raise AgentBusyError(login, agent.machine.state.value, "log out")
        return self._fire(agent, AgentEvent.LOGOUT)

    def phone_lost(self, login: str) -> LostCall | None:
        """The agent's phone left its session: LOGGED_OUT; returns the call they had, if any."""
        agent = self._get(login)
        if agent.machine.state is AgentState.LOGGED_OUT:
            return None
        lost = None
        if agent.machine.state is AgentState.ON_CALL:
            lost = LostCall(login, agent.machine.attempt_id, agent.debtor_id, agent.channel)
        self._fire(agent, AgentEvent.PHONE_LOST)
        return lost

    # ----- calls ---------------------------------------------------------------------
    def reserve(
        self, skills: SkillSpec = None, *, call_id: str | None = None, exclude: Iterable[str] = ()
    ) -> Reservation | None:
        """Hold the longest-idle READY agent meeting `skills` for one call, or None."""
        login = self._ready.pick(Requirement.of(skills), exclude)
        if login is None:
            return None
        return self._reserve(self._agents[login], call_id)

    def release(self, reservation: Reservation) -> StateChange:
        """The reserved call went away before connect: the agent is READY again."""
        agent = self._check(reservation)
        return self._fire(agent, AgentEvent.RELEASE)

    def connect(
        self,
        reservation: Reservation,
        *,
        attempt_id: int | None = None,
        debtor_id: int | None = None,
        channel: str = "",
    ) -> StateChange:
        """The call is being put through to the agent: ON_CALL, the screen gets the case."""
        agent = self._check(reservation)
        change = self._fire(agent, AgentEvent.CONNECT, attempt_id=attempt_id)
        agent.connected_at, agent.debtor_id, agent.channel = change.at, debtor_id, channel
        self._emit(
            {
                "type": "call_connected",
                "login": agent.profile.login,
                "attempt_id": attempt_id,
                "debtor_id": debtor_id,
                "call_id": reservation.call_id,
                "at": change.at.isoformat(),
            }
        )
        return change

    def call_ended(self, login: str) -> StateChange:
        """The debtor left: WRAP_UP, which ends into READY after `wrapup_s`."""
        agent = self._get(login)
        change = self._fire(agent, AgentEvent.CALL_ENDED)
        if agent.connected_at is not None:
            self.stats.talk.add((change.at - agent.connected_at).total_seconds())
        agent.connected_at, agent.channel = None, ""
        return change

    def wrapup_extend(self, login: str, extra_s: float) -> StateChange:
        agent = self._get(login)
        change = self._fire(agent, AgentEvent.WRAPUP_EXTEND)
        if agent.wrapup_deadline is not None:
            agent.wrapup_deadline += timedelta(seconds=extra_s)
            self._arm(agent.wrapup_deadline)
        return change

    def wrapup_done(self, login: str) -> StateChange:
        return self._fire(self._get(login), AgentEvent.WRAPUP_DONE)

    # ----- figures for pacing and the dashboard --------------------------------------
    def free_now(self) -> int:
        return len(self._ready)

    def busy_agents_free_in(self) -> list[float]:
        """Seconds until each busy agent is expected free (breaks asked excluded), sorted."""
        return busy_free_in((self._agents[x] for x in self._busy), self.stats, self._clock())

    def expected_free(self, within_s: float) -> int:
        return self.free_now() + sum(1 for s in self.busy_agents_free_in() if s <= within_s)

    def logged_in(self) -> int:
        return sum(1 for a in self._agents.values() if a.machine.state is not AgentState.LOGGED_OUT)

    def agent_states(self) -> list[dict[str, Any]]:
        now = self._clock()
        return [describe(agent, now) for agent in self._agents.values()]

    def agent_totals(self, login: str) -> dict[str, float]:
        """Seconds per state (and per pause reason as 'paused:<code>') since first login."""
        return totals(self._get(login), self._clock())

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Receive every event (JSON-ready dicts); returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def publish(self, event: dict[str, Any]) -> None:
        """Send an event (JSON-ready dict) to every subscriber: for the ACD's PBX side."""
        self._emit(event)

    # ----- timers --------------------------------------------------------------------
    def tick(self) -> None:
        """Do what is due now: end wrap-ups, flag break overruns, treat long waits."""
        now = self._clock()
        for agent in list(self._agents.values()):
            if agent.wrapup_deadline is not None and agent.wrapup_deadline <= now:
                self._fire(agent, AgentEvent.WRAPUP_DONE)
            held = agent.reserved_at
            timeout = timedelta(seconds=self.settings.reservation_timeout_s)
            if agent.machine.state is AgentState.RESERVED and held and held + timeout <= now:
                self._expire(agent, agent.token)
            if agent.break_deadline is not None and agent.break_deadline <= now:
                agent.break_deadline, agent.overrun = None, True
                self._emit({**describe(agent, now), "type": "break_overrun"})
        self._due(now)
        self._arm(None)

    async def aclose(self) -> None:
        """Stop the timers and write the state changes still pending."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._store is not None:
            await self._store.close()

    # ----- internals -----------------------------------------------------------------
    def _get(self, login: str) -> AgentRecord:
        try:
            return self._agents[login]
        except KeyError:
            raise UnknownAgentError(login) from None

    def _check(self, reservation: Reservation) -> AgentRecord:
        agent = self._get(reservation.login)
        if agent.token != reservation.token or agent.machine.state is not AgentState.RESERVED:
            raise StaleReservationError(reservation.login, reservation.token)
        return agent

    def _reserve(self, agent: AgentRecord, call_id: str | None) -> Reservation:
        change = self._fire(agent, AgentEvent.RESERVE)
        agent.token, agent.reserved_at = next(self._tokens), change.at
        with contextlib.suppress(RuntimeError):  # no loop: tick() does it
            asyncio.get_running_loop().call_later(
                self.settings.reservation_timeout_s, self._expire, agent, agent.token
            )
        return Reservation(
            agent.profile.login, agent.token, agent.profile.phone, change.at, call_id
        )

    def _expire(self, agent: AgentRecord, token: int) -> None:
        if agent.token == token and agent.machine.state is AgentState.RESERVED:
            log.warning("reservation of agent %s expired unused: released", agent.profile.login)
            self._fire(agent, AgentEvent.RELEASE)

    def _fire(self, agent: AgentRecord, event: AgentEvent, **kwargs: Any) -> StateChange:
        login = agent.profile.login
        entered = agent.machine.since
        change = agent.machine.fire(event, self._clock(), **kwargs)
        if change.from_state is AgentState.WRAP_UP and change.to_state is not AgentState.WRAP_UP:
            if entered is not None:
                self.stats.wrapup.add((change.at - entered).total_seconds())
            agent.wrapup_deadline = None
        self._ready.remove(login)
        self._busy.discard(login)
        if event is not AgentEvent.PAUSE_AFTER_CALL:
            agent.break_deadline, agent.overrun = None, False
        to = change.to_state
        if to in BUSY_STATES or to is AgentState.WRAP_UP:
            self._busy.add(login)
        if to is AgentState.WRAP_UP and change.from_state is not AgentState.WRAP_UP:
            agent.wrapup_deadline = change.at + timedelta(seconds=self.settings.wrapup_s)
            self._arm(agent.wrapup_deadline)
        if to is AgentState.PAUSED:
            reason = self._reasons.get(change.reason or "")
            if reason is not None:
                agent.break_deadline = change.at + timedelta(seconds=reason.allowance_s)
                self._arm(agent.break_deadline)
        if self._store is not None:
            self._store.record(change)
        if self._subscribers:  # building the JSON costs more than the transition itself
            self._emit(change.as_json())
        if to is AgentState.READY:
            self._became_ready(agent)
        return change

    def _emit(self, event: dict[str, Any]) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("ACD subscriber failed on %s", event.get("type"))

    def _arm(self, deadline: datetime | None) -> None:
        """Make sure `tick` runs by `deadline` (and by the next pending deadline)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop: the owner calls tick() (simulator, sync tests)
        deadlines = [d for d in self._deadlines() if d is not None]
        if deadline is not None:
            deadlines.append(deadline)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if deadlines:
            delay = max(0.0, (min(deadlines) - self._clock()).total_seconds())
            self._timer = loop.call_later(delay, self.tick)

    def _deadlines(self) -> Iterable[datetime | None]:
        for agent in self._agents.values():
            yield agent.wrapup_deadline
            yield agent.break_deadline
        yield from self._extra_deadlines()

    # ----- hooks for the queues (facade.Acd) ------------------------------------------
    def _became_ready(self, agent: AgentRecord) -> None:
        self._ready.add(agent.profile.login, agent.profile.skills)

    def _due(self, now: datetime) -> None:
        """More work due at `now`."""

    def _extra_deadlines(self) -> Iterable[datetime]:
        return ()
