"""Callers waiting in an ACD queue are told their position and estimated wait, on the sandbox.

What the caller hears is observed where Asterisk reports it: [acd-queue] raises
UserEvent AcdAnnouncement with Status STARTED before playing the ACD's sound and with
Playback's status once it has been played to the end.
"""

from __future__ import annotations

import pytest

from acd import AgentState, QueueConfig
from dialer.pbx.events import CallBridged
from tests.integration.acd.acd_floor import Floor

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")

# Text-to-speech renders each new sentence once; a loaded machine needs the margin.
ANNOUNCE_WAIT_S = 90.0


async def test_waiting_caller_hears_position_and_wait_on_entry_and_then_again(
    floor: Floor,
) -> None:
    floor.acd.add_queue(QueueConfig("acdann", max_wait_s=120, announce_every_s=1))
    first = await floor.debtor(talk_s=60, context="acd-queue", exten="acdann")
    await floor.until(lambda: len(floor.announcements(first, "SUCCESS")) >= 2, ANNOUNCE_WAIT_S)
    told = floor.of_type("queue_announced", call_id=first)
    assert told[0]["position"] == 1 and told[0]["text"].startswith("Thank you for calling")
    assert "You are next in the queue." in told[0]["text"]
    assert "Thank you for your patience." in told[1]["text"]  # the periodic one
    played = [e["Sound"] for e in floor.announcements(first, "SUCCESS")]
    assert played[:2] == [told[0]["sound"], told[1]["sound"]]

    second = await floor.debtor(talk_s=60, context="acd-queue", exten="acdann")
    await floor.until(lambda: floor.announcements(second, "SUCCESS"), ANNOUNCE_WAIT_S)
    [entry, *_] = floor.of_type("queue_announced", call_id=second)
    assert entry["position"] == 2 and "You are number 2 in the queue." in entry["text"]
    for action_id in (first, second):
        await floor.ami.hangup((await floor.answered(action_id)).channel)
    await floor.until(lambda: len(floor.of_type("queue_left")) == 2)


async def test_agent_becoming_ready_takes_the_caller_in_the_middle_of_an_announcement(
    floor: Floor,
) -> None:
    floor.acd.add_queue(QueueConfig("acdint", max_wait_s=120, announce_every_s=30))
    await floor.pbx.login("1023")  # in their session, not ready yet
    action_id = await floor.debtor(talk_s=60, context="acd-queue", exten="acdint")
    await floor.until(lambda: floor.announcements(action_id, "STARTED"), ANNOUNCE_WAIT_S)
    floor.acd.ready("1023")
    answer = await floor.answered(action_id)
    joined = await floor.until(
        lambda: [
            e
            for e in floor.pbx_events
            if isinstance(e, CallBridged) and e.channel == answer.channel
        ]
    )
    assert joined[0].target == "agent-1023"
    assert floor.state("1023") is AgentState.ON_CALL
    # The Redirect cut the announcement short: it was never reported as played to its end.
    assert [e["Status"] for e in floor.announcements(action_id)] == ["STARTED"]
    await floor.ami.hangup(answer.channel)
    await floor.until(lambda: floor.state("1023") is not AgentState.ON_CALL)
