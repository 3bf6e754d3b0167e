"""The ACD on the real sandbox: SIP agent phones in their sessions, debtors put through.

The agent floor (phones agent1021..agent1030, simulated debtors) is in acd_floor.py.
"""

from __future__ import annotations

import asyncio

import pytest

from acd import AgentState, AlreadyLoggedInError, QueueConfig, Treatment, UnknownPauseReasonError
from acd.pbx_link import AgentPhoneError, NoAgentSessionError
from tests.integration.acd.acd_floor import WAIT_S, Floor

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")


async def test_answered_debtor_goes_to_the_longest_idle_agent_then_wrap_up_then_ready(
    floor: Floor,
) -> None:
    await asyncio.gather(floor.pbx.login("1021"), floor.pbx.login("1022"))
    floor.acd.ready("1022")  # idle the longest
    floor.acd.ready("1021")
    action_id = await floor.debtor(talk_s=3)
    answer = await floor.answered(action_id)
    login = await floor.pbx.route_answered(answer.channel, attempt_id=None, answered_at=answer.at)
    assert login == "1022"
    assert floor.connected_to("1022")
    assert floor.state("1022") is AgentState.ON_CALL
    assert floor.pbx.connect_stats().count == 1
    # the debtor hangs up after talking: wrap-up, then READY by itself; the phone stays
    await floor.until(lambda: floor.state("1022") is AgentState.WRAP_UP)
    await floor.until(lambda: floor.state("1022") is AgentState.READY)
    assert floor.phones["1022"].in_call
    assert floor.pbx.session_channel("1022") is not None
    assert floor.state("1021") is AgentState.READY


async def test_pause_with_a_reason_takes_the_agent_out_of_routing(floor: Floor) -> None:
    await floor.pbx.login("1023", ready=True)
    floor.acd.pause("1023", "break")
    state = next(s for s in floor.acd.agent_states() if s["login"] == "1023")
    assert (state["state"], state["reason"]) == ("paused", "break")
    assert floor.acd.reserve() is None
    with pytest.raises(UnknownPauseReasonError):
        floor.acd.pause("1023", "nap")
    floor.acd.ready("1023")
    assert floor.acd.free_now() == 1
    await floor.pbx.logout("1023")
    await floor.phones.wait_for("1023", "ended", WAIT_S)
    assert floor.state("1023") is AgentState.LOGGED_OUT


async def test_agent_hanging_up_mid_call_is_logged_out_and_the_debtor_rescued(
    floor: Floor,
) -> None:
    await floor.pbx.login("1024", ready=True)
    action_id = await floor.debtor(talk_s=30)
    answer = await floor.answered(action_id)
    assert await floor.pbx.route_answered(answer.channel, answered_at=answer.at) == "1024"
    await floor.pbx.login("1025", ready=True)
    assert await floor.phones.hang_up("1024")
    await floor.until(lambda: floor.state("1024") is AgentState.LOGGED_OUT)
    await floor.until(lambda: floor.connected_to("1025"))
    await floor.until(lambda: floor.state("1025") is AgentState.ON_CALL)
    assert floor.pbx.rescued == 1
    await floor.ami.hangup(answer.channel)
    await floor.until(lambda: floor.state("1025") is not AgentState.ON_CALL)


async def test_two_answers_for_one_free_agent_abandon_one(floor: Floor) -> None:
    await floor.pbx.login("1026", ready=True)
    first, second = await floor.debtor(talk_s=5), await floor.debtor(talk_s=5)
    answers = await asyncio.gather(floor.answered(first), floor.answered(second))
    routed = [await floor.pbx.route_answered(a.channel, answered_at=a.at) for a in answers]
    assert routed == ["1026", None]
    assert floor.pbx.abandoned == 1
    assert any(e["type"] == "call_abandoned" for e in floor.events)
    # the abandoned debtor hears the message, then the call ends
    await floor.until(lambda: floor.hung_up(second))


async def test_caller_waiting_in_a_queue_goes_to_the_next_agent_who_becomes_ready(
    floor: Floor,
) -> None:
    floor.acd.add_queue(QueueConfig("acdtest", max_wait_s=60))
    await floor.pbx.login("1027")
    action_id = await floor.debtor(talk_s=15, context="acd-queue", exten="acdtest")
    await floor.until(lambda: floor.acd.queue_status(action_id))
    status = floor.acd.queue_status(action_id)
    assert status is not None and status.position == 1 and status.estimated_wait_s > 0
    floor.acd.ready("1027")
    await floor.until(lambda: floor.connected_to("1027"))
    assert floor.state("1027") is AgentState.ON_CALL
    answer = await floor.answered(action_id)
    await floor.ami.hangup(answer.channel)
    await floor.until(lambda: floor.state("1027") is not AgentState.ON_CALL)


async def test_debtor_of_an_agent_who_hangs_up_waits_for_the_next_free_agent(floor: Floor) -> None:
    await floor.pbx.login("1028", ready=True)
    await floor.pbx.login("1029")  # logged in, not ready yet
    action_id = await floor.debtor(talk_s=30)
    answer = await floor.answered(action_id)
    assert await floor.pbx.route_answered(answer.channel, answered_at=answer.at) == "1028"
    assert await floor.phones.hang_up("1028")
    await floor.until(lambda: floor.acd.queue_status(answer.channel))
    floor.acd.ready("1029")
    await floor.until(lambda: floor.connected_to("1029"))
    await floor.until(lambda: len(floor.pbx.timer.answer_to_bridge) == 2)
    assert not floor.hung_up(action_id)
    await floor.ami.hangup(answer.channel)
    await floor.until(lambda: floor.state("1029") is AgentState.WRAP_UP)


async def test_caller_waiting_too_long_gets_the_queue_treatment(floor: Floor) -> None:
    floor.acd.add_queue(QueueConfig("acdslow", max_wait_s=1, treatment=Treatment.MESSAGE))
    action_id = await floor.debtor(talk_s=30, context="acd-queue", exten="acdslow")
    await floor.until(
        lambda: any(
            e["type"] == "queue_treatment" and e["call_id"] == action_id for e in floor.events
        )
    )
    # the "all lines busy" message plays, then the call ends
    await floor.until(lambda: floor.hung_up(action_id))


async def test_login_fails_clearly_when_the_phone_is_not_there(floor: Floor) -> None:
    await asyncio.to_thread(floor.phones["1030"].stop)  # unregisters agent1030
    with pytest.raises(AgentPhoneError, match="1030"):
        await floor.pbx.login("1030")
    assert floor.state("1030") is AgentState.LOGGED_OUT
    await floor.pbx.login("1021")
    with pytest.raises(AlreadyLoggedInError):
        await floor.pbx.login("1021")


async def test_debtor_calling_in_reaches_a_ready_agent_through_the_inbound_entry(
    floor: Floor,
) -> None:
    floor.acd.add_queue(QueueConfig("inbound"))
    await floor.pbx.login("1022", ready=True)
    action_id = await floor.debtor(talk_s=10, context="acd-inbound", exten="48221234567")
    await floor.until(lambda: floor.connected_to("1022"))
    assert floor.state("1022") is AgentState.ON_CALL
    answer = await floor.answered(action_id)
    await floor.ami.hangup(answer.channel)
    await floor.until(lambda: floor.state("1022") is AgentState.WRAP_UP)


async def test_caller_asking_for_a_callback_is_published(floor: Floor) -> None:
    floor.acd.add_queue(QueueConfig("acdcb", max_wait_s=1, treatment=Treatment.CALLBACK))
    await floor.debtor(talk_s=30, context="acd-queue", exten="acdcb")
    requested = await floor.until(
        lambda: [e for e in floor.events if e["type"] == "callback_requested"]
    )
    assert requested[0]["queue"] == "acdcb"


async def test_debtor_sent_to_an_agent_without_a_session_is_not_left_in_silence(
    floor: Floor,
) -> None:
    action_id = await floor.debtor(talk_s=30)
    answer = await floor.answered(action_id)
    with pytest.raises(NoAgentSessionError):
        await floor.pbx.connect(answer.channel, "1023")  # 1023's phone is not in its bridge
    assert floor.pbx.abandoned == 1
    assert any(e["type"] == "call_abandoned" and e["login"] == "1023" for e in floor.events)
    await floor.ami.hangup(answer.channel)
