"""The agent state machine: only the table's transitions happen, and time adds up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from acd.agent_state import TRANSITIONS, AgentEvent, AgentState, AgentStateMachine
from acd.errors import IllegalTransitionError, PauseReasonRequiredError

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_a_normal_shift() -> None:
    m = AgentStateMachine("1001")
    t = START
    steps = [
        (AgentEvent.LOGIN, AgentState.PAUSED),
        (AgentEvent.READY, AgentState.READY),
        (AgentEvent.RESERVE, AgentState.RESERVED),
        (AgentEvent.CONNECT, AgentState.ON_CALL),
        (AgentEvent.CALL_ENDED, AgentState.WRAP_UP),
        (AgentEvent.WRAPUP_DONE, AgentState.READY),
        (AgentEvent.LOGOUT, AgentState.LOGGED_OUT),
    ]
    for event, expected in steps:
        t += timedelta(seconds=10)
        change = m.fire(event, t)
        assert change.to_state is expected
        assert m.state is expected
    assert m.totals[AgentState.ON_CALL] == 10
    assert m.totals[AgentState.READY] == 20


def test_illegal_event_names_agent_state_and_event_and_changes_nothing() -> None:
    m = AgentStateMachine("1001")
    with pytest.raises(IllegalTransitionError, match=r"1001.*'connect'.*logged_out"):
        m.fire(AgentEvent.CONNECT, START)
    assert m.state is AgentState.LOGGED_OUT


def test_break_asked_during_a_call_starts_when_wrap_up_ends() -> None:
    m = AgentStateMachine("1001")
    for event in (AgentEvent.LOGIN, AgentEvent.READY, AgentEvent.RESERVE, AgentEvent.CONNECT):
        m.fire(event, START)
    m.fire(AgentEvent.PAUSE_AFTER_CALL, START, reason="lunch")
    assert m.state is AgentState.ON_CALL
    m.fire(AgentEvent.CALL_ENDED, START)
    change = m.fire(AgentEvent.WRAPUP_DONE, START)
    assert (change.to_state, change.reason) == (AgentState.PAUSED, "lunch")
    assert m.pending_pause is None


def test_phone_lost_logs_out_from_every_state() -> None:
    for state in AgentState:
        if state is AgentState.LOGGED_OUT:
            continue
        assert TRANSITIONS[(state, AgentEvent.PHONE_LOST)] is AgentState.LOGGED_OUT


class AgentMachineProperties(RuleBasedStateMachine):
    """Random events at random times: the machine follows the table, time adds up."""

    def __init__(self) -> None:
        super().__init__()
        self.machine = AgentStateMachine("1021")
        self.now = START
        self.started: datetime | None = None

    @rule(
        event=st.sampled_from(list(AgentEvent)),
        wait=st.floats(min_value=0, max_value=3600, allow_nan=False),
        reason=st.sampled_from(["break", "lunch", None]),
    )
    def fire(self, event: AgentEvent, wait: float, reason: str | None) -> None:
        self.now += timedelta(seconds=wait)
        before = self.machine.state
        expected = TRANSITIONS.get((before, event))
        if expected is None:
            with pytest.raises(IllegalTransitionError):
                self.machine.fire(event, self.now, reason=reason)
            assert self.machine.state is before
            return
        if event in (AgentEvent.PAUSE, AgentEvent.PAUSE_AFTER_CALL) and reason is None:
            with pytest.raises(PauseReasonRequiredError):
                self.machine.fire(event, self.now, reason=reason)
            assert self.machine.state is before
            return
        pending = self.machine.pending_pause
        change = self.machine.fire(event, self.now, reason=reason)
        if self.started is None:
            self.started = self.now
        if event is AgentEvent.WRAPUP_DONE and pending is not None:
            expected = AgentState.PAUSED
        assert change.from_state is before
        assert change.to_state is expected is self.machine.state
        if self.machine.state is AgentState.PAUSED:
            assert self.machine.reason is not None

    @invariant()
    def time_accounting_adds_up(self) -> None:
        if self.started is None:
            return
        totals = self.machine.totals_at(self.now)
        elapsed = (self.now - self.started).total_seconds()
        assert sum(totals.values()) == pytest.approx(elapsed, abs=1e-3)
        assert all(value >= 0 for value in totals.values())

    @invariant()
    def pause_time_is_part_of_paused_time(self) -> None:
        paused = self.machine.totals.get(AgentState.PAUSED, 0.0)
        assert sum(self.machine.pause_totals.values()) <= paused + 1e-6


TestAgentMachineProperties = AgentMachineProperties.TestCase
TestAgentMachineProperties.settings = settings(max_examples=150, stateful_step_count=40)
