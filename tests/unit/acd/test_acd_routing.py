"""Routing: longest-idle qualified agent, skills and seniority, queue priorities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from acd.queues import CallQueues, QueueConfig, QueuedCall
from acd.routing import ReadyIndex, Requirement, Skills

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PL = Skills.from_json({"language": ["pl"], "portfolio": ["bank-a"], "seniority": 1})
PL_EN = Skills.from_json(
    {"language": ["pl", "en"], "portfolio": ["bank-a", "bank-b"], "seniority": 3}
)
EN = Skills.from_json({"language": "en", "seniority": 2})


def test_longest_idle_agent_is_picked_first() -> None:
    index = ReadyIndex()
    for login in ("a", "b", "c"):
        index.add(login, PL)
    assert index.pick(Requirement()) == "a"
    index.remove("a")
    index.add("a", PL)  # idle again: now the most recent
    assert index.in_idle_order() == ["b", "c", "a"]
    assert index.pick(Requirement()) == "b"


def test_skills_and_seniority_filter_the_line() -> None:
    index = ReadyIndex()
    index.add("pl", PL)
    index.add("en", EN)
    index.add("both", PL_EN)
    assert index.pick(Requirement.of({"language": "en"})) == "en"
    assert index.pick(Requirement.of({"language": "pl", "portfolio": "bank-b"})) == "both"
    assert index.pick(Requirement.of({"language": "pl", "min_seniority": 2})) == "both"
    assert index.pick(Requirement.of({"language": "de"})) is None
    assert index.pick(Requirement.of({"language": "pl"}), exclude=["pl"]) == "both"
    assert index.count(Requirement.of({"language": "pl"})) == 2


def test_a_thousand_agents_route_by_idle_order_within_a_skill() -> None:
    index = ReadyIndex()
    for n in range(1000):
        index.add(f"{n:04d}", PL if n % 2 else EN)
    picked = []
    for _ in range(5):
        login = index.pick(Requirement.of({"language": "pl"}))
        assert login is not None
        picked.append(login)
        index.remove(login)
    assert picked == ["0001", "0003", "0005", "0007", "0009"]
    assert len(index) == 995


def test_queue_orders_by_priority_then_waiting_time() -> None:
    queues = CallQueues()
    queues.add_queue(QueueConfig("q"))
    queues.enqueue(QueuedCall("old", "q", T0))
    queues.enqueue(QueuedCall("new", "q", T0 + timedelta(seconds=5)))
    assert queues.enqueue(QueuedCall("vip", "q", T0 + timedelta(seconds=9), priority=5)) == 1
    assert [c.call_id for c in queues.waiting("q")] == ["vip", "old", "new"]
    assert queues.position("new") == 3
    queues.remove("vip")
    assert queues.position("new") == 2


def test_free_agent_takes_the_call_of_the_highest_priority_queue_they_qualify_for() -> None:
    queues = CallQueues()
    queues.add_queue(QueueConfig("collections-pl", Requirement.of({"language": "pl"}), priority=1))
    queues.add_queue(QueueConfig("vip-en", Requirement.of({"language": "en"}), priority=9))
    queues.enqueue(QueuedCall("pl-1", "collections-pl", T0))
    queues.enqueue(QueuedCall("en-1", "vip-en", T0 + timedelta(seconds=30)))
    best = queues.next_for(PL)
    assert best is not None and best.call_id == "pl-1"
    best = queues.next_for(PL_EN)
    assert best is not None and best.call_id == "en-1"
    assert queues.next_for(Skills.from_json({"language": "de"})) is None


def test_overdue_calls_are_those_past_their_queue_limit() -> None:
    queues = CallQueues()
    queues.add_queue(QueueConfig("q", max_wait_s=30))
    queues.enqueue(QueuedCall("a", "q", T0))
    queues.enqueue(QueuedCall("b", "q", T0 + timedelta(seconds=20)))
    assert [c.call_id for c in queues.overdue(T0 + timedelta(seconds=31))] == ["a"]
