"""The Acd facade: agent life cycle, errors, timers, pacing figures, queues, events."""

from __future__ import annotations

from typing import Any

import pytest

from acd import (
    Acd,
    AcdSettings,
    AgentBusyError,
    AgentProfile,
    AgentState,
    AlreadyLoggedInError,
    IllegalTransitionError,
    QueueConfig,
    QueuedCall,
    QueueStatus,
    Requirement,
    Reservation,
    Skills,
    StaleReservationError,
    Treatment,
    UnknownAgentError,
    UnknownPauseReasonError,
)
from acd.store import MemoryStateStore
from tests.unit.acd.acd_clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


PL = Skills.from_json({"language": ["pl"]})
EN = Skills.from_json({"language": ["en"]})


def make_acd(clock: FakeClock, *logins: str, skills: Skills = PL) -> tuple[Acd, MemoryStateStore]:
    store = MemoryStateStore()
    acd = Acd(settings=AcdSettings(wrapup_s=15), store=store, clock=clock)
    for login in logins:
        acd.add_agent(AgentProfile(login, skills=skills))
    return acd, store


def ready(acd: Acd, clock: FakeClock, *logins: str) -> None:
    for login in logins:
        acd.login(login)
        acd.ready(login)
        clock.advance(1)


def test_call_goes_to_longest_idle_agent_then_wrap_up_ends_by_itself(clock: FakeClock) -> None:
    acd, store = make_acd(clock, "1021", "1022")
    ready(acd, clock, "1022", "1021")
    reservation = acd.reserve({"language": "pl"}, call_id="A1")
    assert reservation is not None and reservation.login == "1022"
    assert reservation.endpoint == "PJSIP/agent1022"
    acd.connect(reservation, attempt_id=7, debtor_id=70)
    clock.advance(60)
    acd.call_ended("1022")
    assert acd.state_of("1022") is AgentState.WRAP_UP
    clock.advance(14)
    acd.tick()
    assert acd.state_of("1022") is AgentState.WRAP_UP
    clock.advance(1)
    acd.tick()
    assert acd.state_of("1022") is AgentState.READY
    events = [(c.event.value, c.to_state.value) for c in store.changes if c.login == "1022"]
    assert events[-4:] == [
        ("reserve", "reserved"),
        ("connect", "on_call"),
        ("call_ended", "wrap_up"),
        ("wrapup_done", "ready"),
    ]
    assert store.changes[-2].attempt_id == 7
    totals = acd.agent_totals("1022")
    assert totals["on_call"] == 60 and totals["wrap_up"] == 15


def test_wrap_up_can_be_extended(clock: FakeClock) -> None:
    acd, _ = on_call(clock)
    acd.call_ended("1021")
    clock.advance(10)
    acd.wrapup_extend("1021", 30)
    clock.advance(10)
    acd.tick()
    assert acd.state_of("1021") is AgentState.WRAP_UP
    clock.advance(30)
    acd.tick()
    assert acd.state_of("1021") is AgentState.READY


def on_call(clock: FakeClock) -> tuple[Acd, Reservation]:
    acd, _ = make_acd(clock, "1021")
    ready(acd, clock, "1021")
    reservation = acd.reserve()
    assert reservation is not None
    acd.connect(reservation, attempt_id=1, debtor_id=2, channel="Local/x;1")
    return acd, reservation


def test_errors_are_clear(clock: FakeClock) -> None:
    acd, _ = make_acd(clock, "1021")
    acd.login("1021")
    with pytest.raises(AlreadyLoggedInError, match="already logged in"):
        acd.login("1021")
    with pytest.raises(UnknownAgentError, match="9999"):
        acd.ready("9999")
    with pytest.raises(UnknownPauseReasonError, match=r"'smoke'.*break"):
        acd.pause("1021", "smoke")
    with pytest.raises(IllegalTransitionError, match="call_ended"):
        acd.call_ended("1021")


def test_agent_deleted_or_logged_out_on_a_call_is_refused_and_the_call_kept(
    clock: FakeClock,
) -> None:
    acd, _ = on_call(clock)
    with pytest.raises(AgentBusyError, match="on_call"):
        acd.remove_agent("1021")
    with pytest.raises(AgentBusyError):
        acd.logout("1021")
    assert acd.state_of("1021") is AgentState.ON_CALL
    assert acd.agent_states()[0]["debtor_id"] == 2
    acd.call_ended("1021")
    acd.remove_agent("1021")
    with pytest.raises(UnknownAgentError):
        acd.state_of("1021")


def test_stale_reservation_is_refused(clock: FakeClock) -> None:
    acd, _ = make_acd(clock, "1021")
    ready(acd, clock, "1021")
    reservation = acd.reserve()
    assert reservation is not None
    acd.release(reservation)
    with pytest.raises(StaleReservationError):
        acd.connect(reservation)
    assert acd.free_now() == 1


def test_break_asked_on_a_call_is_taken_after_wrap_up_and_overrun_flagged(
    clock: FakeClock,
) -> None:
    acd, _ = on_call(clock)
    events: list[dict[str, Any]] = []
    acd.subscribe(events.append)
    acd.pause("1021", "break")
    assert acd.state_of("1021") is AgentState.ON_CALL
    acd.call_ended("1021")
    acd.wrapup_done("1021")
    assert acd.state_of("1021") is AgentState.PAUSED
    clock.advance(15 * 60 + 1)
    acd.tick()
    state = acd.agent_states()[0]
    assert state["reason"] == "break" and state["overrun"] is True
    assert any(e["type"] == "break_overrun" for e in events)
    assert {"type", "login", "state", "since", "reason"} <= events[-2].keys()


def test_phone_lost_mid_call_logs_out_and_hands_back_the_call(clock: FakeClock) -> None:
    acd, _ = on_call(clock)
    lost = acd.phone_lost("1021")
    assert lost is not None and lost.channel == "Local/x;1" and lost.attempt_id == 1
    assert acd.state_of("1021") is AgentState.LOGGED_OUT
    assert acd.phone_lost("1021") is None


def test_pacing_figures(clock: FakeClock) -> None:
    acd, _ = make_acd(clock, "a", "b", "c", "d")
    ready(acd, clock, "a", "b", "c", "d")
    for _ in range(20):  # history: calls last 100 s, wrap-up 15 s
        acd.stats.talk.add(100)
        acd.stats.wrapup.add(15)
    r1, r2 = acd.reserve(), acd.reserve()
    assert r1 is not None and r2 is not None
    acd.connect(r1)
    acd.connect(r2)
    clock.advance(90)
    acd.call_ended(r2.login)
    assert acd.free_now() == 2
    free_in = acd.busy_agents_free_in()
    assert free_in == pytest.approx([15.0, 25.0])
    assert acd.expected_free(20) == 3
    assert acd.expected_free(30) == 4
    acd.pause(r1.login, "lunch")  # will not be free: no longer counted
    assert acd.busy_agents_free_in() == pytest.approx([15.0])


def test_inbound_call_waits_in_queue_then_goes_to_the_first_free_agent(clock: FakeClock) -> None:
    acd, _ = make_acd(clock, "1021", "1022")
    acd.add_queue(QueueConfig("inbound", Requirement.of({"language": "pl"})))
    assigned: list[tuple[QueuedCall, Reservation]] = []
    acd.on_assignment = lambda call, res: assigned.append((call, res))
    ready(acd, clock, "1021")
    first = acd.enqueue("inbound", "u1", channel="PJSIP/trunk-1", inbound=True)
    assert isinstance(first, Reservation) and first.login == "1021"
    second = acd.enqueue("inbound", "u2", inbound=True)
    third = acd.enqueue("inbound", "u3", inbound=True)
    assert isinstance(second, QueueStatus) and second.position == 1
    assert isinstance(third, QueueStatus) and third.position == 2
    assert third.estimated_wait_s > second.estimated_wait_s > 0
    assert acd.dequeue("u2") is True
    status = acd.queue_status("u3")
    assert status is not None and status.position == 1
    ready(acd, clock, "1022")
    assert [(c.call_id, r.login) for c, r in assigned] == [("u3", "1022")]
    assert acd.state_of("1022") is AgentState.RESERVED


def test_caller_waiting_too_long_gets_the_queue_treatment(clock: FakeClock) -> None:
    acd, _ = make_acd(clock, "1021")
    acd.add_queue(QueueConfig("inbound", max_wait_s=60, treatment=Treatment.CALLBACK))
    treated: list[str] = []
    acd.on_treatment = lambda call, config: treated.append(f"{call.call_id}:{config.treatment}")
    acd.enqueue("inbound", "u1")
    clock.advance(59)
    acd.tick()
    assert treated == []
    clock.advance(1)
    acd.tick()
    assert treated == ["u1:callback"]
    assert acd.queue_status("u1") is None


def test_skills_route_to_the_right_agent(clock: FakeClock) -> None:
    acd, _ = make_acd(clock, "pl1")
    acd.add_agent(AgentProfile("en1", skills=EN))
    ready(acd, clock, "pl1", "en1")
    reservation = acd.reserve({"language": "en"})
    assert reservation is not None and reservation.login == "en1"
    assert acd.reserve({"language": "en"}) is None


def test_metrics_use_conventional_names(clock: FakeClock) -> None:
    from acd.metrics import acd_metrics, prometheus_text

    acd, _ = make_acd(clock, "1021", "1022")
    acd.add_queue(QueueConfig("inbound"))
    ready(acd, clock, "1021")
    acd.enqueue("inbound", "u1")
    acd.enqueue("inbound", "u2")
    metrics = acd_metrics(acd)
    assert metrics['acd_agents{state="reserved"}'] == 1
    assert metrics['acd_agents{state="logged_out"}'] == 1
    assert metrics['acd_queue_calls_waiting{queue="inbound"}'] == 1
    assert 'acd_agents{state="ready"} 0\n' in prometheus_text(metrics)


def test_a_reservation_never_used_is_released(clock: FakeClock) -> None:
    acd, _ = make_acd(clock, "1021")
    ready(acd, clock, "1021")
    reservation = acd.reserve()
    assert reservation is not None
    clock.advance(29)
    acd.tick()
    assert acd.state_of("1021") is AgentState.RESERVED
    clock.advance(1)
    acd.tick()
    assert acd.state_of("1021") is AgentState.READY
    with pytest.raises(StaleReservationError):
        acd.connect(reservation)
