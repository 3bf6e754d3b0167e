"""The real AmiLink against recorded Asterisk 22 traffic replayed over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from dialer.pbx.events import (
    AmdResult,
    AmdStatus,
    CallAnswered,
    CallBridged,
    CallFailed,
    CallHungUp,
    CallRinging,
    FailReason,
    LinkUp,
)
from dialer.pbx.link import AmiLink, OriginateRequest
from tests.unit.pbx.pbx_collector import Collector, settings
from tests.unit.pbx.scripted_asterisk import ScriptedAsterisk, load_transcript


@pytest.fixture
async def replay() -> AsyncIterator[Replay]:
    server = ScriptedAsterisk()
    for name in ("human", "machine", "busy", "no_answer", "congestion", "invalid", "confbridge"):
        server.sections.update(load_transcript(name))
    port = await server.start()
    link = AmiLink(settings(ami_port=port, login_timeout_s=5))
    collector = Collector()
    link.subscribe(collector)
    await link.start()
    try:
        yield server, link, collector
    finally:
        await link.stop()
        await server.stop()


Replay = tuple[ScriptedAsterisk, AmiLink, Collector]


def _request(action_id: str) -> OriginateRequest:
    return OriginateRequest(action_id, "Local/1@sim-pstn", "dialer-outbound", "s")


async def test_human_is_answered_then_amd_human_then_hangup(replay: Replay) -> None:
    _server, link, got = replay
    await got.wait_for(LinkUp)
    await link.originate(_request("rec-human"))
    hung_up = await got.wait_for(CallHungUp, "rec-human")
    assert got.of("rec-human") == [CallRinging, CallAnswered, AmdResult, CallHungUp]
    amd = next(e for e in got.events if isinstance(e, AmdResult))
    assert amd.status is AmdStatus.HUMAN and amd.cause.startswith("HUMAN")
    assert isinstance(hung_up, CallHungUp) and hung_up.cause == 16
    assert hung_up.channel.startswith("Local/") and hung_up.channel.endswith(";1")
    assert len(link.tracker) == 0


async def test_machine_gives_amd_machine(replay: Replay) -> None:
    _server, link, got = replay
    await link.originate(_request("rec-machine"))
    amd = await got.wait_for(AmdResult, "rec-machine")
    assert isinstance(amd, AmdResult) and amd.status is AmdStatus.MACHINE
    assert got.of("rec-machine")[:3] == [CallRinging, CallAnswered, AmdResult]


@pytest.mark.parametrize(
    ("action_id", "reason"),
    [
        ("rec-busy", FailReason.BUSY),
        ("rec-no_answer", FailReason.NO_ANSWER),
        ("rec-congestion", FailReason.CONGESTION),
        ("rec-invalid", FailReason.FAILED),
    ],
)
async def test_unanswered_outcomes(replay: Replay, action_id: str, reason: FailReason) -> None:
    _server, link, got = replay
    await link.originate(_request(action_id))
    failed = await got.wait_for(CallFailed, action_id)
    assert isinstance(failed, CallFailed) and failed.reason is reason
    await asyncio.sleep(0)  # the Hangup that follows must not add a second terminal event
    assert got.of(action_id) == [CallRinging, CallFailed]


async def test_all_outcomes_at_once_each_get_exactly_one_terminal_event(replay: Replay) -> None:
    _server, link, got = replay
    ids = ["rec-human", "rec-busy", "rec-congestion", "rec-invalid", "rec-no_answer"]
    await asyncio.gather(*(link.originate(_request(i)) for i in ids))
    await got.wait_for(CallHungUp, "rec-human")
    for action_id in ids:
        kinds = got.of(action_id)
        assert sum(k in (CallFailed, CallHungUp) for k in kinds) == 1, (action_id, kinds)


async def test_redirect_into_a_confbridge_gives_one_call_bridged(replay: Replay) -> None:
    _server, link, got = replay
    await link.originate(_request("rec-confbridge"))
    answered = await got.wait_for(CallAnswered, "rec-confbridge")
    assert isinstance(answered, CallAnswered)
    await link.redirect(answered.channel, "acd-agent", "1099")
    bridged = await got.wait_for(CallBridged, "rec-confbridge")
    assert isinstance(bridged, CallBridged) and bridged.target == "agent-1099"
    await got.wait_for(CallHungUp, "rec-confbridge")
    assert got.of("rec-confbridge") == [CallRinging, CallAnswered, CallBridged, CallHungUp]
