"""Whole IVR calls against a scripted Asterisk: paths, inputs, results, hang-ups, fallback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.config import PROJECT_ROOT
from dialer.db.models import IvrSession, ScriptResult
from ivr.server import IvrServer
from tests.unit.ivr.ivr_agi_peer import AgiPeer
from tests.unit.ivr.ivr_fixtures import add_debtor, copy_scripts, running_server, sounds_dir

SAMPLES = PROJECT_ROOT / "config" / "ivr"


async def _stored(sessions: async_sessionmaker[Any]) -> tuple[list[IvrSession], list[ScriptResult]]:
    async with sessions() as db:
        ivr = list((await db.scalars(select(IvrSession).order_by(IvrSession.id))).all())
        results = list((await db.scalars(select(ScriptResult).order_by(ScriptResult.id))).all())
    return ivr, results


async def _call(server: IvrServer, peer: AgiPeer) -> AgiPeer:
    peer.port = server.port
    peer.sounds_dir = server.sounds_dir
    await peer.run()
    return peer


async def test_payment_reminder_stores_a_promise_to_pay(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    debtor_id, attempt_id = await add_debtor(sessions, "pl")
    pay_day = date.today() + timedelta(days=10)
    scripts = copy_scripts(tmp_path, "payment_reminder", source=SAMPLES)
    async with running_server(sessions, scripts, sounds_dir(tmp_path)) as server:
        peer = AgiPeer(
            0,
            "payment_reminder",
            variables={"ATTEMPT_ID": str(attempt_id), "DEBTOR_ID": str(debtor_id)},
            digits="1" + "150*5#" + pay_day.strftime("%d%m") + "#",
        )
        await _call(server, peer)
        assert server.active_sessions == 0
    [session], [result] = await _stored(sessions)
    assert session.path == ["greet", "menu", "amount", "bye"]
    assert session.end_reason == "hangup" and session.attempt_id == attempt_id
    gathered = [i for i in session.inputs if i["verb"] == "gather"]
    assert [(i["raw"], i["outcome"]) for i in gathered] == [
        ("1", "ok"),
        ("150*5", "ok"),
        (pay_day.strftime("%d%m"), "ok"),
    ]
    assert (result.source, result.kind, result.amount, result.currency) == (
        "ivr",
        "promise_to_pay",
        Decimal("150.50"),
        "PLN",
    )
    assert result.promised_date == pay_day
    assert (result.debtor_id, result.attempt_id) == (debtor_id, attempt_id)
    assert result.data["ivr_session_id"] == session.id
    # the prompts were played from the TTS cache, as Asterisk names them
    played = [c for c in peer.commands if c.startswith("STREAM FILE dialer/cache/tts-")]
    assert len(played) >= 6


async def test_a_result_is_stored_the_moment_it_is_given(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    debtor_id, attempt_id = await add_debtor(sessions, "pl")
    pay_day = date.today() + timedelta(days=3)
    scripts = copy_scripts(tmp_path, "payment_reminder", source=SAMPLES)
    async with running_server(sessions, scripts, sounds_dir(tmp_path)) as server:
        peer = AgiPeer(
            server.port,
            "payment_reminder",
            variables={"ATTEMPT_ID": str(attempt_id), "DEBTOR_ID": str(debtor_id)},
            digits="1" + "80#" + pay_day.strftime("%d%m") + "#",
            sounds_dir=server.sounds_dir,
            freeze_on="HANGUP",  # the script's last command: the promise is already given
        )
        call = asyncio.create_task(peer.run())
        await asyncio.wait_for(peer.frozen.wait(), 30)
        # Still mid-call (a process killed now would never reach the end of the call).
        [session], [result] = await _stored(sessions)
        assert session.ended_at is None and session.end_reason is None
        assert (result.kind, result.amount, result.promised_date) == (
            "promise_to_pay",
            Decimal("80"),
            pay_day,
        )
        assert result.data["ivr_session_id"] == session.id
        call.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await call
        for _ in range(100):
            if server.active_sessions == 0:
                break
            await asyncio.sleep(0.05)
    [session], results = await _stored(sessions)
    assert session.ended_at is not None and session.path == ["greet", "menu", "amount", "bye"]
    assert len(results) == 1  # closing the session did not store it twice


async def test_invalid_then_timeout_branches(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    scripts = copy_scripts(tmp_path, "payment_reminder", source=SAMPLES)
    debtor_id, _ = await add_debtor(sessions, "pl")
    async with running_server(sessions, scripts, sounds_dir(tmp_path)) as server:
        # 9, 9, 9 are not menu choices: three invalid tries → agent → enqueue
        peer = await _call(
            server,
            AgiPeer(0, "payment_reminder", variables={"DEBTOR_ID": str(debtor_id)}, digits="999"),
        )
        # nothing pressed: three timeouts → bye
        await _call(server, AgiPeer(0, "payment_reminder", variables={"DEBTOR_ID": str(debtor_id)}))
    first, second = (await _stored(sessions))[0]
    assert first.path == ["greet", "menu", "agent"] and first.end_reason == "enqueued"
    assert peer.set_vars["IVR_ENQUEUE"] == "collections"
    assert peer.set_vars["IVR_ENQUEUE_SKILLS"] == "language=pl"  # comma-free for the dialplan
    assert peer.set_vars["IVR_ENQUEUE_PRIORITY"] == "1"
    assert [i["outcome"] for i in first.inputs if i["verb"] == "gather"] == ["invalid"] * 3
    assert second.path == ["greet", "menu", "bye"]
    assert [i["outcome"] for i in second.inputs if i["verb"] == "gather"] == ["timeout"] * 3


async def test_missing_debtor_data_takes_the_fallback_node(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    scripts = copy_scripts(tmp_path, "payment_reminder", source=SAMPLES)
    async with running_server(sessions, scripts, sounds_dir(tmp_path)) as server:
        await _call(server, AgiPeer(0, "payment_reminder"))  # no DEBTOR_ID: no balance
    [session], _ = await _stored(sessions)
    assert session.path == ["greet", "sorry"] and session.end_reason == "hangup"
    assert session.inputs[0]["verb"] == "error"
    assert "debtor.first_name" in session.inputs[0]["error"]


# (command the caller hangs up in, n-th such command, digits pressed, expected path)
HANGUPS = [
    ("ANSWER", 1, "", ["main"]),
    ("STREAM FILE dialer/cache", 1, "", ["main"]),  # say
    ("STREAM FILE dialer/jingle", 1, "", ["main"]),  # play
    ("WAIT FOR DIGIT", 1, "", ["main"]),  # gather
    ("RECORD FILE", 1, "1", ["main", "record_it"]),  # record
    ("SET VARIABLE", 1, "2", ["main", "queue"]),  # enqueue, after result
    ("HANGUP", 1, "9", ["main", "check", "done"]),  # set/switch/if/goto done, then hangup
]


@pytest.mark.parametrize(("command", "nth", "digits", "path"), HANGUPS, ids=[h[0] for h in HANGUPS])
async def test_caller_hangup_in_each_verb_stores_the_partial_path(
    sessions: async_sessionmaker[Any],
    tmp_path: Path,
    command: str,
    nth: int,
    digits: str,
    path: list[str],
) -> None:
    debtor_id, attempt_id = await add_debtor(sessions)
    scripts = copy_scripts(tmp_path, "good_all_verbs")
    async with running_server(sessions, scripts, sounds_dir(tmp_path)) as server:
        peer = AgiPeer(
            0,
            "good_all_verbs",
            digits=digits,
            hangup_on=command,
            hangup_nth=nth,
            variables={"ATTEMPT_ID": str(attempt_id), "DEBTOR_ID": str(debtor_id)},
        )
        await _call(server, peer)
        assert peer.hung_up
        assert server.active_sessions == 0
    [session], results = await _stored(sessions)
    assert session.path == path
    expected_end = "hangup" if command == "HANGUP" else "caller_hangup"
    assert session.end_reason == expected_end
    assert session.ended_at is not None
    # the result stored before the hang-up is kept
    assert [r.kind for r in results] == (["callback"] if command == "SET VARIABLE" else [])


async def test_all_verbs_record_branch(sessions: async_sessionmaker[Any], tmp_path: Path) -> None:
    debtor_id, _ = await add_debtor(sessions)
    scripts = copy_scripts(tmp_path, "good_all_verbs")
    sounds = sounds_dir(tmp_path)
    async with running_server(sessions, scripts, sounds) as server:
        peer = AgiPeer(
            0,
            "good_all_verbs",
            digits="1",
            variables={"DEBTOR_ID": str(debtor_id)},
            recordings=[sounds / "jingle.wav"],
        )
        await _call(server, peer)
    [session], [result] = await _stored(sessions)
    assert session.path == ["main", "record_it", "done"]
    recorded = result.data["file"]
    assert recorded.startswith("cache/rec/") and (sounds / recorded).is_file()
    assert any(c.startswith(f"RECORD FILE dialer/{recorded[:-4]} wav") for c in peer.commands)


@pytest.fixture
async def crm() -> AsyncIterator[str]:
    async def balance(request: web.Request) -> web.Response:
        if request.query.get("account") == "SLOW":
            await asyncio.sleep(2.5)  # longer than the script's 1 s timeout
        return web.json_response({"balance": "99.90", "status": "open", "due": "2030-01-31"})

    app = web.Application()
    app.router.add_get("/balance", balance)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_http_answer_is_used_and_a_timeout_takes_the_fallback(
    sessions: async_sessionmaker[Any], tmp_path: Path, crm: str
) -> None:
    debtor_id, _ = await add_debtor(sessions)
    scripts = copy_scripts(tmp_path, "good_http")
    async with running_server(sessions, scripts, sounds_dir(tmp_path)) as server:
        await _call(
            server, AgiPeer(0, f"good_http?crm={crm}", variables={"DEBTOR_ID": str(debtor_id)})
        )
        slow = (scripts / "good_http.yaml").read_text().replace("{debtor.account_id}", "SLOW")
        (scripts / "good_http.yaml").write_text(slow)
        await _call(
            server, AgiPeer(0, f"good_http?crm={crm}", variables={"DEBTOR_ID": str(debtor_id)})
        )
    (ok, slow_call), [result] = await _stored(sessions)
    assert ok.path == ["ask", "open"]
    assert (result.amount, result.promised_date) == (Decimal("99.90"), date(2030, 1, 31))
    assert slow_call.path == ["ask", "failed"]  # the http timeout (1 s) took the fallback
    assert slow_call.script_version != ok.script_version  # reloaded without a restart
    assert "error" in slow_call.inputs[0]


async def test_speech_answer_without_recogniser_falls_back_to_dtmf(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    scripts = copy_scripts(tmp_path, "satisfaction_survey", source=SAMPLES)
    sounds = sounds_dir(tmp_path)
    async with running_server(sessions, scripts, sounds, recognizer=None) as server:
        peer = AgiPeer(0, "satisfaction_survey", digits="2", recordings=[sounds / "jingle.wav"])
        await _call(server, peer)
    [session], [result] = await _stored(sessions)
    assert session.path == ["ask", "unhappy", "bye"]
    assert result.kind == "survey" and result.data["answer"] == "no"
    assert result.data["comment"].startswith("cache/rec/")
    assert not any(c.startswith("RECORD FILE") and 'wav "12"' in c for c in peer.commands)


async def test_spoken_yes_is_recognised(sessions: async_sessionmaker[Any], tmp_path: Path) -> None:
    from ivr.stt import PocketsphinxRecognizer

    scripts = copy_scripts(tmp_path, "satisfaction_survey", source=SAMPLES)
    sounds = sounds_dir(tmp_path)
    yes = PROJECT_ROOT / "sounds" / "sim" / "yes.wav"
    async with running_server(sessions, scripts, sounds, PocketsphinxRecognizer()) as server:
        peer = AgiPeer(0, "satisfaction_survey", recordings=[yes])
        await _call(server, peer)
    [session], [result] = await _stored(sessions)
    assert session.path == ["ask", "happy", "bye"]
    [heard] = [i for i in session.inputs if i["verb"] == "gather"]
    assert heard["input"] == "speech" and heard["value"] == "yes"
    assert result.data == {"question": "satisfied", "answer": "yes", "ivr_session_id": session.id}


async def test_inbound_hours_branch_follows_the_clock(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    from dialer.db.types import utcnow
    from ivr.loader import load_script
    from ivr.timecond import is_open

    scripts = copy_scripts(tmp_path, "inbound_hours", source=SAMPLES)
    hours = load_script(scripts / "inbound_hours.yaml").nodes["start"][1].args

    def now_open() -> bool:
        return is_open(utcnow(), "Europe/Warsaw", hours.schedule, hours.holidays)

    async with running_server(sessions, scripts, sounds_dir(tmp_path)) as server:
        before = now_open()
        peer = await _call(server, AgiPeer(0, "inbound_hours"))
        after = now_open()
    [session], _ = await _stored(sessions)
    opened = session.inputs[0]["open"]
    assert opened in {before, after}  # both, unless the call straddled an opening time
    assert session.path == ["start", "open" if opened else "closed"]
    assert peer.commands[2] == "ANSWER"
