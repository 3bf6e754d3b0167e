"""EventMapper and reconciliation as pure functions over recorded and hand-made events."""

from __future__ import annotations

import time

import pytest

from dialer.pbx.calls import CallTracker
from dialer.pbx.events import (
    TERMINAL_EVENTS,
    CallAnswered,
    CallBridged,
    CallFailed,
    CallHungUp,
    CallLost,
    CallRinging,
    FailReason,
)
from dialer.pbx.reconcile import ORPHAN_AFTER_S, orphans, reconcile
from dialer.pbx.wire.mapping import EventMapper, fail_reason
from dialer.pbx.wire.protocol import parse_event
from tests.unit.pbx.scripted_asterisk import load_transcript


def _replay(name: str) -> tuple[CallTracker, list[object]]:
    tracker = CallTracker()
    mapper = EventMapper(tracker)
    ((trigger, frames),) = load_transcript(name).items()
    tracker.track(trigger.split()[1], generation=1)
    out: list[object] = []
    for raw in frames:
        out.extend(mapper.map(parse_event(raw.rstrip(b"\r\n"))))
    return tracker, out


@pytest.mark.parametrize("name", ["human", "busy", "no_answer", "congestion", "invalid"])
def test_each_recorded_call_ends_with_exactly_one_terminal_event(name: str) -> None:
    tracker, out = _replay(name)
    assert sum(isinstance(e, TERMINAL_EVENTS) for e in out) == 1
    assert isinstance(out[-1], TERMINAL_EVENTS)
    assert isinstance(out[0], CallRinging)
    assert len(tracker) == 0


def test_invalid_number_hangs_up_before_its_originate_response() -> None:
    # Recorded order: Hangup (cause 1), DialEnd NOANSWER, then OriginateResponse Reason 0.
    _tracker, out = _replay("invalid")
    assert isinstance(out[-1], CallFailed) and out[-1].reason is FailReason.FAILED


@pytest.mark.parametrize(
    ("reason", "cause", "expected"),
    [
        ("5", None, FailReason.BUSY),
        ("8", None, FailReason.CONGESTION),
        ("3", None, FailReason.NO_ANSWER),
        ("0", 1, FailReason.FAILED),
        ("0", 17, FailReason.BUSY),
        ("1", 34, FailReason.CONGESTION),
        ("0", None, FailReason.FAILED),
    ],
)
def test_fail_reason(reason: str, cause: int | None, expected: FailReason) -> None:
    assert fail_reason(reason, cause) is expected


def test_bridge_events_give_one_call_bridged_per_bridge() -> None:
    tracker = CallTracker()
    mapper = EventMapper(tracker)
    tracker.track("a1", 1)
    mapper.map({"Event": "Newstate", "Uniqueid": "a1", "Channel": "L;1", "ChannelState": "6"})
    confbridge = {
        "Event": "BridgeEnter",
        "Uniqueid": "a1",
        "BridgeTechnology": "softmix",
        "BridgeUniqueid": "b-1",
        "BridgeName": "agent-1011",
    }
    assert mapper.map(confbridge) == []
    join = {
        "Event": "ConfbridgeJoin",
        "Uniqueid": "a1",
        "Conference": "agent-1011",
        "BridgeUniqueid": "b-1",
    }
    (bridged,) = mapper.map(join)
    assert isinstance(bridged, CallBridged) and bridged.target == "agent-1011"
    assert mapper.map(join) == []
    two_party = {
        "Event": "BridgeEnter",
        "Uniqueid": "a1",
        "BridgeTechnology": "simple_bridge",
        "BridgeUniqueid": "b-2",
        "BridgeName": "",
    }
    (moved,) = mapper.map(two_party)
    assert isinstance(moved, CallBridged) and moved.target == "b-2"


def test_unanswered_hangup_without_originate_response_is_settled_later() -> None:
    tracker = CallTracker()
    mapper = EventMapper(tracker)
    tracker.track("a1", 1)
    assert mapper.map({"Event": "Hangup", "Uniqueid": "a1", "Cause": "17"}) == []
    assert orphans(tracker) == []
    (failed,) = orphans(tracker, now=time.monotonic() + ORPHAN_AFTER_S + 1)
    assert isinstance(failed, CallFailed) and failed.reason is FailReason.BUSY


def test_reconcile_settles_only_calls_from_before_the_reconnect() -> None:
    tracker = CallTracker()
    mapper = EventMapper(tracker)
    for action_id in ("up", "gone", "answered-gone", "failed-gone"):
        tracker.track(action_id, generation=1)
    tracker.track("new", generation=2)
    mapper.map(
        {"Event": "Newstate", "Uniqueid": "answered-gone", "Channel": "A;1", "ChannelState": "6"}
    )
    mapper.map({"Event": "Hangup", "Uniqueid": "failed-gone", "Cause": "34"})
    channels = [{"Uniqueid": "up", "Channel": "U;1", "ChannelState": "6", "BridgeId": "br"}]
    out = reconcile(tracker, channels, tracker.older_than(2))
    kinds = {(type(e).__name__, e.action_id) for e in out}
    assert kinds == {
        ("CallRinging", "up"),
        ("CallAnswered", "up"),
        ("CallBridged", "up"),
        ("CallLost", "gone"),
        ("CallHungUp", "answered-gone"),
        ("CallFailed", "failed-gone"),
    }
    assert sorted(c.action_id for c in tracker.calls()) == ["new", "up"]
    assert reconcile(tracker, channels, tracker.older_than(2)) == []  # settled once
    assert [type(e) for e in out if e.action_id == "gone"] == [CallLost]
    assert any(isinstance(e, CallAnswered) for e in out)
    assert not any(isinstance(e, CallHungUp) and e.action_id == "up" for e in out)


def test_tracker_refuses_reused_action_ids() -> None:
    tracker = CallTracker()
    call = tracker.track("a1", 1)
    tracker.resolve(call)
    with pytest.raises(ValueError, match="already used"):
        tracker.track("a1", 2)


def test_calls_without_any_outcome_long_after_their_timeout_are_stale() -> None:
    tracker = CallTracker()
    tracker.track("quiet", 1, ring_timeout_s=30)
    answered = tracker.track("talking", 1, ring_timeout_s=30)
    EventMapper(tracker).map(
        {"Event": "Newstate", "Uniqueid": "talking", "Channel": "T;1", "ChannelState": "6"}
    )
    assert answered.answered
    later = time.monotonic() + 30 + CallTracker.STALE_AFTER_TIMEOUT_S + 1
    assert tracker.stale() == []
    assert [c.action_id for c in tracker.stale(later)] == ["quiet"]
    (lost,) = reconcile(tracker, [], tracker.stale(later))
    assert isinstance(lost, CallLost)
