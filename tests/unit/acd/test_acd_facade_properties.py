"""Stateful property test of the Acd facade: whatever agents and calls do, the routing
index, the busy set and the figures for pacing agree with the agents' states."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from acd import Acd, AcdError, AcdSettings, AgentProfile, AgentState, Reservation, Skills
from tests.unit.acd.acd_clock import FakeClock

LOGINS = ["a", "b", "c", "d"]
SKILLS = {"a": ["pl"], "b": ["pl", "en"], "c": ["en"], "d": ["pl"]}
login_st = st.sampled_from(LOGINS)


class AcdProperties(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.acd = Acd(settings=AcdSettings(wrapup_s=30), clock=self.clock)
        for login in LOGINS:
            self.acd.add_agent(
                AgentProfile(login, skills=Skills.from_json({"language": SKILLS[login]}))
            )
        self.reservations: dict[str, Reservation] = {}
        self.events: list[dict[str, Any]] = []
        self.idle: list[str] = []
        self.acd.subscribe(self._on_event)

    def _try(self, action: Any) -> Any:
        before = {login: self.acd.state_of(login) for login in LOGINS}
        try:
            return action()
        except AcdError:
            # a refused action changes nothing
            assert before == {login: self.acd.state_of(login) for login in LOGINS}
            return None

    @rule(login=login_st)
    def login(self, login: str) -> None:
        self._try(lambda: self.acd.login(login))

    @rule(login=login_st)
    def ready(self, login: str) -> None:
        self._try(lambda: self.acd.ready(login))

    @rule(login=login_st, reason=st.sampled_from(["break", "lunch", "nap"]))
    def pause(self, login: str, reason: str) -> None:
        self._try(lambda: self.acd.pause(login, reason))

    @rule(language=st.sampled_from([None, "pl", "en", "de"]))
    def reserve(self, language: str | None) -> None:
        expected = [
            login for login in self._idle_order() if language is None or language in SKILLS[login]
        ]
        reservation = self.acd.reserve({"language": language} if language else None)
        if reservation is None:
            assert expected == []
        else:
            assert reservation.login == expected[0]  # the longest-idle qualified agent
            self.reservations[reservation.login] = reservation

    @rule(login=login_st, connect=st.booleans())
    def settle_reservation(self, login: str, connect: bool) -> None:
        reservation = self.reservations.pop(login, None)
        if reservation is not None:
            action = self.acd.connect if connect else self.acd.release
            self._try(lambda: action(reservation))

    @rule(login=login_st)
    def call_ended(self, login: str) -> None:
        self._try(lambda: self.acd.call_ended(login))

    @rule(login=login_st)
    def wrapup_done(self, login: str) -> None:
        self._try(lambda: self.acd.wrapup_done(login))

    @rule(login=login_st)
    def logout(self, login: str) -> None:
        self._try(lambda: self.acd.logout(login))

    @rule(login=login_st)
    def phone_lost(self, login: str) -> None:
        self.acd.phone_lost(login)
        assert self.acd.state_of(login) is AgentState.LOGGED_OUT

    @rule(seconds=st.floats(min_value=0, max_value=120, allow_nan=False))
    def time_passes(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.acd.tick()

    def _on_event(self, event: dict[str, Any]) -> None:
        """The model of the idle line, from the event stream: READY goes to the back."""
        self.events.append(event)
        if event["type"] != "agent_state":
            return
        if event["login"] in self.idle:
            self.idle.remove(event["login"])
        if event["state"] == "ready":
            self.idle.append(event["login"])

    def _idle_order(self) -> list[str]:
        return list(self.idle)

    @invariant()
    def idle_line_matches_the_model(self) -> None:
        ready = {s["login"] for s in self.acd.agent_states() if s["state"] == "ready"}
        assert set(self.idle) == ready

    @invariant()
    def figures_agree_with_states(self) -> None:
        states = {login: self.acd.state_of(login) for login in LOGINS}
        ready = [login for login, state in states.items() if state is AgentState.READY]
        busy = [
            login
            for login, state in states.items()
            if state in (AgentState.RESERVED, AgentState.ON_CALL, AgentState.WRAP_UP)
        ]
        assert self.acd.free_now() == len(ready)
        pending = {s["login"] for s in self.acd.agent_states() if s["pending_pause"]}
        assert len(self.acd.busy_agents_free_in()) == len(set(busy) - pending)
        assert self.acd.expected_free(10**6) == len(ready) + len(set(busy) - pending)
        assert self.acd.logged_in() == sum(s is not AgentState.LOGGED_OUT for s in states.values())

    @invariant()
    def time_accounting_adds_up(self) -> None:
        for login in LOGINS:
            totals = self.acd.agent_totals(login)
            by_state = sum(v for k, v in totals.items() if not k.startswith("paused:"))
            by_reason = sum(v for k, v in totals.items() if k.startswith("paused:"))
            assert by_reason <= totals.get("paused", 0.0) + 1e-6
            machine_first = self.acd._agents[login].machine.first_seen
            if machine_first is not None:
                elapsed = (self.clock.now - machine_first).total_seconds()
                assert by_state == pytest.approx(elapsed, abs=1e-6)

    @invariant()
    def every_event_is_json_ready(self) -> None:
        for event in self.events[-5:]:
            assert isinstance(event["type"], str)
            if event["type"] == "agent_state":
                assert {"login", "state", "since", "reason"} <= event.keys()


TestAcdProperties = AcdProperties.TestCase
TestAcdProperties.settings = settings(max_examples=100, stateful_step_count=50, deadline=None)
