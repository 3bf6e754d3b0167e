"""AmiLink's connection handling against a scripted Asterisk on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from dialer.config import AsteriskSettings
from dialer.pbx.events import (
    AmdResult,
    CallAnswered,
    CallHungUp,
    CallLost,
    CallRinging,
    LinkDown,
    LinkUp,
)
from dialer.pbx.link import AmiLink, AmiLoginError, AmiNotConnected, OriginateRequest
from tests.unit.pbx.pbx_collector import Collector, settings
from tests.unit.pbx.scripted_asterisk import ScriptedAsterisk, frame


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(action_id: str) -> OriginateRequest:
    return OriginateRequest(action_id, "Local/1@sim-pstn", "dialer-outbound", "s")


@pytest.fixture
async def server() -> AsyncIterator[ScriptedAsterisk]:
    server = ScriptedAsterisk()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _settings(server: ScriptedAsterisk, **extra: object) -> AsteriskSettings:
    assert server._server is not None
    port = server._server.sockets[0].getsockname()[1]
    return AsteriskSettings.model_validate({"ami_port": port, "login_timeout_s": 3, **extra})


async def test_wrong_secret_raises_clear_login_error(server: ScriptedAsterisk) -> None:
    link = AmiLink(_settings(server, ami_secret="wrong"))
    with pytest.raises(AmiLoginError, match="refused the login of user 'dialer'"):
        await link.start()
    await asyncio.sleep(0.3)
    assert server.logins == 0
    assert len([a for a in server.received if a.get("Action") == "Login"]) == 1  # no retry loop


async def test_asterisk_down_raises_clear_login_error() -> None:
    link = AmiLink(settings(ami_port=_free_port(), login_timeout_s=2))
    with pytest.raises(AmiLoginError, match="cannot reach Asterisk AMI"):
        await link.start()


async def test_silent_server_raises_login_error_after_timeout() -> None:
    silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    try:
        link = AmiLink(settings(ami_port=port, login_timeout_s=0.5))
        with pytest.raises(AmiLoginError, match="did not answer the login"):
            await link.start()
    finally:
        silent.close()
        await silent.wait_closed()


async def test_bad_originate_requests_are_refused_before_sending(server: ScriptedAsterisk) -> None:
    link = AmiLink(_settings(server))
    await link.start()
    try:
        with pytest.raises(ValueError, match="no commas"):
            await link.originate(
                OriginateRequest("a1", "Local/1@x", "c", "s", variables={"NAME": "Doe, John"})
            )
        await link.originate(_request("a2"))
        with pytest.raises(ValueError, match="already used"):
            await link.originate(_request("a2"))
        assert server.originates() == ["a2"]
    finally:
        await link.stop()


async def test_reconnect_reconciles_calls_and_never_redials(server: ScriptedAsterisk) -> None:
    link = AmiLink(_settings(server), backoff_initial_s=0.1, ping_interval_s=0.5)
    got = Collector()
    link.subscribe(got)
    await link.start()
    try:
        await link.originate(_request("kept"))
        await link.originate(_request("gone"))
        await link.originate(_request("answered-gone"))
        server.send_all(
            frame(Event="Newchannel", Channel="Local/1@sim-pstn-1;1", Uniqueid="kept")
            + frame(Event="Newchannel", Channel="Local/1@sim-pstn-2;1", Uniqueid="gone")
            + frame(
                Event="Newstate",
                Channel="Local/1@sim-pstn-3;1",
                Uniqueid="answered-gone",
                ChannelState="6",
            )
        )
        await got.wait_for(CallAnswered, "answered-gone")
        # Only "kept" is still up (and was answered while we were away).
        server.channels = [
            {"Channel": "Local/1@sim-pstn-1;1", "Uniqueid": "kept", "ChannelState": "6"}
        ]
        server.drop_clients()
        await got.wait_for(LinkDown)
        with pytest.raises(AmiNotConnected):
            await link.originate(_request("while-down"))
        await got.wait_for(CallLost, "gone")
        await got.wait_for(CallHungUp, "answered-gone")
        await got.wait_for(CallAnswered, "kept")
        await got.wait_count(LinkUp, 2)
        assert server.logins == 2
        assert sorted(server.originates()) == ["answered-gone", "gone", "kept"]  # once each
        assert "kept" in link.tracker and len(link.tracker) == 1
        # The surviving call goes on being mapped on the new connection.
        server.send_all(
            frame(
                Event="UserEvent",
                UserEvent="DialerAmd",
                Uniqueid="kept",
                Status="HUMAN",
                Cause="HUMAN-500-500",
            )
            + frame(Event="Hangup", Uniqueid="kept", Cause="16")
        )
        await got.wait_for(CallHungUp, "kept")
        assert got.of("kept") == [CallRinging, CallAnswered, AmdResult, CallHungUp]
        assert got.of("gone") == [CallRinging, CallLost]
    finally:
        await link.stop()


async def test_unanswered_pings_make_the_link_reconnect(server: ScriptedAsterisk) -> None:
    link = AmiLink(
        _settings(server), ping_interval_s=0.2, action_timeout_s=0.5, backoff_initial_s=0.1
    )
    got = Collector()
    link.subscribe(got)
    server.answer_pings = False
    await link.start()
    try:
        await got.wait_for(LinkDown)
        server.answer_pings = True
        while server.logins < 2 or not link.connected:
            await asyncio.sleep(0.05)
        assert link.reconnects >= 1
    finally:
        await link.stop()


async def test_malformed_and_unknown_events_do_not_break_the_link(
    server: ScriptedAsterisk,
) -> None:
    link = AmiLink(_settings(server))
    got = Collector()
    link.subscribe(got)
    await link.start()
    try:
        await link.originate(_request("x1"))
        server.send_all(
            b"garbage without headers\r\n\r\n"
            + frame(Event="Newchannel", Uniqueid="x1")  # no Channel header
            + frame(Event="UserEvent", UserEvent="DialerAmd", Uniqueid="x1", Status="WHAT")
            + frame(Event="Hangup", Uniqueid="x1", Cause="not-a-number")
            + frame(Event="Hangup", Uniqueid="someone-else", Cause="16")
        )
        amd = await got.wait_for(AmdResult, "x1")
        hung = await got.wait_for(CallHungUp, "x1")
        assert isinstance(amd, AmdResult) and amd.status == "NOTSURE"
        assert isinstance(hung, CallHungUp) and hung.cause == 0
        assert link.connected
    finally:
        await link.stop()


async def test_originate_cut_off_by_a_drop_is_settled_not_resent(server: ScriptedAsterisk) -> None:
    link = AmiLink(_settings(server), backoff_initial_s=0.1)
    got = Collector()
    link.subscribe(got)
    await link.start()
    try:
        server.drop_on_originate = True
        await link.originate(_request("cut"))  # no reply, no exception: nothing to retry
        server.drop_on_originate = False
        lost = await got.wait_for(CallLost, "cut")
        assert lost.action_id == "cut"
        await got.wait_count(LinkUp, 2)  # re-login done: anything re-sent would be in by now
        await link.command("core show version")  # one more round trip on the new connection
        assert server.originates() == ["cut"]
        assert server.logins == 2
    finally:
        await link.stop()


async def test_noise_events_are_filtered_unless_someone_subscribed(
    server: ScriptedAsterisk,
) -> None:
    link = AmiLink(_settings(server))
    link.subscribe_raw(["DialBegin"], lambda _event: None)
    await link.start()
    try:
        criteria = [a["MatchCriteria"] for a in server.received if a.get("Action") == "Filter"]
        assert "action(exclude),name(NewCallerid)" in criteria
        assert "action(exclude),name(Newexten)" in criteria
        assert "action(exclude),name(DialBegin)" not in criteria
        assert not any("Hangup)" in c or "Newchannel" in c for c in criteria)
    finally:
        await link.stop()
