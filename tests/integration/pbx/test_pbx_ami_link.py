"""AmiLink against the real Asterisk sandbox and its simulated PSTN."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping

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
    LinkDown,
    LinkUp,
)
from dialer.pbx.link import AmiError, AmiLink, AmiLoginError, OriginateRequest
from dialer.pbx.simnumbers import SimOutcome, dial_string, sim_number
from tests.integration.pbx.tcp_proxy import CuttableProxy
from tests.unit.pbx.pbx_collector import Collector, settings

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")

LinkPair = tuple[AmiLink, Collector]
RUN = f"it{int(time.time() * 1000) % 10**9}"  # the sandbox is shared: unique ActionIDs


def request(
    name: str, outcome: SimOutcome, talk_s: int = 1, amd: bool = True, **variables: str
) -> OriginateRequest:
    return OriginateRequest(
        action_id=f"{RUN}-{name}",
        channel=dial_string(sim_number(outcome, talk_s, 7)),
        context="dialer-outbound",
        exten="s",
        caller_id='"Collections" <48221234567>',
        timeout_s=3 if outcome is SimOutcome.NO_ANSWER else 30,
        variables={
            "ATTEMPT_ID": "1",
            "CAMPAIGN_ID": "2",
            "DIALER_AMD": "1" if amd else "0",
            **variables,
        },
    )


@pytest.fixture
async def link() -> AsyncIterator[LinkPair]:
    link = AmiLink(settings())
    got = Collector()
    link.subscribe(got)
    await link.start()
    try:
        yield link, got
    finally:
        await link.stop()


async def test_wrong_credentials_raise_login_error() -> None:
    with pytest.raises(AmiLoginError, match="refused the login"):
        await AmiLink(settings(ami_secret="not-the-secret")).start()


async def test_every_simulated_outcome_maps_to_its_events(link: LinkPair) -> None:
    ami, got = link
    hangups: list[Mapping[str, str]] = []
    ami.subscribe_raw(["Hangup"], hangups.append)
    reqs = {
        "human": request("human", SimOutcome.HUMAN, talk_s=1),
        "machine": request("machine", SimOutcome.MACHINE),
        "busy": request("busy", SimOutcome.BUSY),
        "noanswer": request("noanswer", SimOutcome.NO_ANSWER),
        "congestion": request("congestion", SimOutcome.CONGESTION),
        "invalid": request("invalid", SimOutcome.INVALID),
    }
    for req in reqs.values():
        await ami.originate(req)
    expected = {
        "busy": FailReason.BUSY,
        "noanswer": FailReason.NO_ANSWER,
        "congestion": FailReason.CONGESTION,
        "invalid": FailReason.FAILED,
    }
    for name, reason in expected.items():
        failed = await got.wait_for(CallFailed, reqs[name].action_id)
        assert isinstance(failed, CallFailed) and failed.reason is reason, name
    # A dial string Asterisk refuses outright still ends as one CallFailed event.
    bogus = OriginateRequest(f"{RUN}-bogus", "Bogus/123", "dialer-outbound", "s")
    await ami.originate(bogus)
    refused = await got.wait_for(CallFailed, bogus.action_id)
    assert isinstance(refused, CallFailed) and refused.reason is FailReason.FAILED

    human = reqs["human"].action_id
    amd = await got.wait_for(AmdResult, human)
    assert isinstance(amd, AmdResult) and amd.status is AmdStatus.HUMAN
    hung = await got.wait_for(CallHungUp, human)
    assert isinstance(hung, CallHungUp) and hung.cause == 16
    assert got.of(human) == [CallRinging, CallAnswered, AmdResult, CallHungUp]

    machine = reqs["machine"].action_id
    amd = await got.wait_for(AmdResult, machine)
    assert isinstance(amd, AmdResult) and amd.status is AmdStatus.MACHINE
    await ami.redirect(amd.channel, "dialer-machine", "s")  # no MACHINE_ACTION: hang up
    await got.wait_for(CallHungUp, machine)
    assert [h["Context"] for h in hangups if h.get("Uniqueid") == machine] == ["dialer-machine"]
    assert len(ami.tracker) == 0


async def test_redirect_to_abandon_plays_the_message_then_hangs_up(link: LinkPair) -> None:
    ami, got = link
    raw: list[Mapping[str, str]] = []
    ami.subscribe_raw(["Hangup", "UserEvent"], raw.append)
    req = request("abandon", SimOutcome.HUMAN, talk_s=30, amd=False)
    await ami.originate(req)
    answered = await got.wait_for(CallAnswered, req.action_id)
    assert isinstance(answered, CallAnswered)
    await ami.redirect(answered.channel, "dialer-abandon", "s")
    hung = await got.wait_for(CallHungUp, req.action_id)  # after the whole message
    assert isinstance(hung, CallHungUp) and hung.cause == 16
    ours = [e for e in raw if e.get("Uniqueid") == req.action_id]
    played = [e for e in ours if e.get("UserEvent") == "DialerAbandonPlayed"]
    assert played and played[0]["Status"] == "SUCCESS"  # dialer/prompts/abandon exists
    hangup = next(e for e in ours if e.get("Event") == "Hangup")
    assert hangup["Context"] == "dialer-abandon"
    assert ours.index(played[0]) < ours.index(hangup)


async def test_reconnect_keeps_live_calls_and_settles_ended_ones_once() -> None:
    proxy = CuttableProxy("127.0.0.1", 5038)
    port = await proxy.start()
    ami = AmiLink(settings(ami_port=port), backoff_initial_s=0.2, ping_interval_s=1)
    got = Collector()
    ami.subscribe(got)
    try:
        await ami.start()
        # long enough to outlast slow reconnects on a loaded machine
        kept = request("kept", SimOutcome.HUMAN, talk_s=300, amd=False)
        ends = request("ends", SimOutcome.HUMAN, talk_s=1, amd=False)
        await ami.originate(kept)
        await ami.originate(ends)
        await got.wait_for(CallAnswered, kept.action_id)
        await got.wait_for(CallAnswered, ends.action_id)
        proxy.cut()  # "ends" hangs up (after its 1 s talk) while the link is down
        await got.wait_for(LinkDown)
        await _until_gone(ends.action_id)  # watched over a second, direct link
        proxy.resume()
        settled = await got.wait_for(CallHungUp, ends.action_id)
        assert isinstance(settled, CallHungUp) and settled.cause == 0  # settled by reconciling
        await got.wait_count(LinkUp, 2)
        assert kept.action_id in ami.tracker and ends.action_id not in ami.tracker
        assert proxy.client_bytes.count(b"Action: Originate") == 2  # nothing re-dialled
        channel = next(
            e.channel
            for e in got.events
            if isinstance(e, CallAnswered) and e.action_id == kept.action_id
        )
        await ami.hangup(channel)
        await got.wait_for(CallHungUp, kept.action_id)
        assert got.of(ends.action_id).count(CallHungUp) == 1
    finally:
        await ami.stop()
        await proxy.stop()


async def _until_gone(uniqueid: str) -> None:
    watcher = AmiLink(settings())
    await watcher.start()
    try:

        async def gone() -> None:
            while any(c.get("Uniqueid") == uniqueid for c in await watcher.channels()):
                await asyncio.sleep(0.2)

        await asyncio.wait_for(gone(), 20)
    finally:
        await watcher.stop()


async def test_play_then_wait_for_the_next_redirect(link: LinkPair) -> None:
    ami, got = link
    played: list[Mapping[str, str]] = []
    req = request("play", SimOutcome.HUMAN, talk_s=30, amd=False)
    ami.subscribe_raw(
        ["UserEvent"], lambda e: played.append(e) if e.get("Uniqueid") == req.action_id else None
    )
    await ami.originate(req)
    answered = await got.wait_for(CallAnswered, req.action_id)
    assert isinstance(answered, CallAnswered)
    await ami.play(answered.channel, "beep")

    async def heard() -> None:
        while not played:
            await asyncio.sleep(0.1)

    await asyncio.wait_for(heard(), 20)
    assert played[0]["UserEvent"] == "DialerPlayed" and played[0]["Status"] == "SUCCESS"
    assert req.action_id in ami.tracker  # still up, waiting in [dialer-play]
    await ami.hangup(answered.channel)
    await got.wait_for(CallHungUp, req.action_id)


async def test_bridge_joins_two_answered_calls(link: LinkPair) -> None:
    ami, got = link
    left = request("left", SimOutcome.HUMAN, talk_s=30, amd=False)
    right = request("right", SimOutcome.HUMAN, talk_s=30, amd=False)
    await ami.originate(left)
    await ami.originate(right)
    a = await got.wait_for(CallAnswered, left.action_id)
    b = await got.wait_for(CallAnswered, right.action_id)
    assert isinstance(a, CallAnswered) and isinstance(b, CallAnswered)
    await ami.bridge(a.channel, b.channel)
    bridged_a = await got.wait_for(CallBridged, left.action_id)
    bridged_b = await got.wait_for(CallBridged, right.action_id)
    assert isinstance(bridged_a, CallBridged) and isinstance(bridged_b, CallBridged)
    assert bridged_a.target == bridged_b.target != ""
    await ami.hangup(a.channel)
    await got.wait_for(CallHungUp, left.action_id)
    if right.action_id in ami.tracker:
        with contextlib.suppress(AmiError):
            await ami.hangup(b.channel)
    await got.wait_for(CallHungUp, right.action_id)


async def test_cli_helpers_answer(link: LinkPair) -> None:
    ami, _got = link
    assert "Asterisk" in await ami.command("core show version")
    assert isinstance(await ami.channels(), list)
    health = ami.health()
    assert health["connected"] is True and health["logins"] == 1
