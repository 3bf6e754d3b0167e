"""A call's own skills and priority: their comma-free wire form, the queue event, routing."""

from __future__ import annotations

import pytest

from acd import Acd, AgentProfile, AgentState, QueueConfig, QueuedCall, Reservation, Skills
from acd.routing import Requirement
from acd.waiting import waiting_caller
from tests.unit.acd.acd_clock import FakeClock

PL = Skills.from_json({"language": ["pl"], "portfolio": ["bank-a"]})
EN = Skills.from_json({"language": ["en"], "portfolio": ["bank-a"]})


def test_requirement_travels_without_commas_and_comes_back_equal() -> None:
    needed = Requirement.of(
        {"language": "en", "portfolio": ["bank-a", "odd,name&x"], "min_seniority": 2}
    )
    word = needed.encode()
    assert "," not in word
    assert word.startswith("language=en&portfolio=bank-a&")
    assert Requirement.decode(word) == needed
    assert Requirement.decode("") == Requirement()
    with pytest.raises(ValueError, match="key=value"):
        Requirement.decode("language=en&en")


def test_combined_requirement_needs_both() -> None:
    queue = Requirement.of({"portfolio": "bank-a", "min_seniority": 1})
    call = Requirement.of({"language": "en", "min_seniority": 3})
    assert queue.combined(call) == Requirement(frozenset({"portfolio=bank-a", "language=en"}), 3)


def test_queue_event_gives_skills_and_priority() -> None:
    event = {
        "UserEvent": "AcdCallWaiting",
        "Queue": "inbound",
        "Channel": "PJSIP/trunk-1",
        "Uniqueid": "u1",
        "Priority": "6",  # the dialplan step, which every channel event carries
        "QueuePriority": "2",
        "Skills": "language=en&portfolio=bank-a",
        "AttemptId": "",
        "DebtorId": "17",
    }
    caller = waiting_caller(event)
    assert caller.skills == Requirement.of({"language": "en", "portfolio": "bank-a"})
    assert (caller.priority, caller.debtor_id, caller.attempt_id) == (2, 17, None)
    # unreadable skills: the caller is still routed (without them), never stranded
    assert waiting_caller({**event, "Skills": "en"}).skills == Requirement()
    assert waiting_caller({**event, "QueuePriority": ""}).priority == 0


def make_acd(clock: FakeClock) -> tuple[Acd, list[tuple[QueuedCall, Reservation]]]:
    acd = Acd(clock=clock)
    acd.add_agent(AgentProfile("pl1", skills=PL))
    acd.add_agent(AgentProfile("en1", skills=EN))
    acd.add_queue(QueueConfig("inbound", Requirement.of({"portfolio": "bank-a"})))
    assigned: list[tuple[QueuedCall, Reservation]] = []
    acd.on_assignment = lambda call, reservation: assigned.append((call, reservation))
    return acd, assigned


def test_a_call_needing_a_skill_waits_for_an_agent_who_has_it(clock: FakeClock) -> None:
    acd, assigned = make_acd(clock)
    acd.login("pl1")
    acd.ready("pl1")
    placed = acd.enqueue("inbound", "u1", skills={"language": "en"}, priority=2)
    assert not isinstance(placed, Reservation)
    assert acd.state_of("pl1") is AgentState.READY
    entered = acd.queues.get("u1")
    assert entered is not None and entered.priority == 2
    acd.login("en1")
    acd.ready("en1")
    assert [(c.call_id, r.login) for c, r in assigned] == [("u1", "en1")]


def test_a_call_the_first_in_line_cannot_use_goes_to_an_agent_who_can(clock: FakeClock) -> None:
    acd, assigned = make_acd(clock)
    acd.enqueue("inbound", "en-call", skills={"language": "en"})
    clock.advance(5)
    acd.enqueue("inbound", "pl-call", skills={"language": "pl"})
    acd.login("pl1")
    acd.ready("pl1")  # the English call keeps its place for an English speaker
    assert [(c.call_id, r.login) for c, r in assigned] == [("pl-call", "pl1")]
    status = acd.queue_status("en-call")
    assert status is not None and status.position == 1


def test_a_free_qualified_agent_takes_a_skilled_call_at_once(clock: FakeClock) -> None:
    acd, _ = make_acd(clock)
    for login in ("en1", "pl1"):
        acd.login(login)
        acd.ready(login)
    placed = acd.enqueue("inbound", "u1", skills={"language": "pl"})
    assert isinstance(placed, Reservation) and placed.login == "pl1"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
