"""IVR scripts on the real sandbox Asterisk: calls originated over AMI into [dialer-ivr]."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from panoramisk import Manager
from panoramisk.message import Message
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.config import PROJECT_ROOT, Settings
from dialer.db.models import IvrSession, ScriptResult
from dialer.pbx.simnumbers import SimOutcome, dial_string, sim_number
from ivr.server import IvrServer
from ivr.stt import make_recognizer
from tests.unit.ivr.ivr_fixtures import add_debtor

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")

SCRIPTS = Path(__file__).with_name("scripts")
WAIT_S = 40.0


@pytest.fixture
async def ami() -> AsyncIterator[Manager]:
    pbx = Settings().asterisk  # the sandbox is set up to match the defaults
    manager = Manager(
        loop=asyncio.get_running_loop(),
        host=pbx.ami_host,
        port=pbx.ami_port,
        username=pbx.ami_user,
        secret=pbx.ami_secret,
        ping_delay=0,
    )
    await asyncio.wait_for(manager.connect(), 20)
    for _ in range(600):  # up to 30 s on a loaded machine
        if manager.authenticated:
            break
        await asyncio.sleep(0.05)
    assert manager.authenticated
    try:
        yield manager
    finally:
        manager.close()


@pytest.fixture
async def server(sessions: async_sessionmaker[Any], tmp_path: Path) -> AsyncIterator[IvrServer]:
    scripts = tmp_path / "scripts"
    shutil.copytree(SCRIPTS, scripts)
    recognizer = await asyncio.to_thread(make_recognizer, "")
    ivr = IvrServer(
        Settings(),
        sessions,
        scripts,
        host="127.0.0.1",
        port=0,
        recognizer=recognizer,
        sounds_dir=PROJECT_ROOT / "sounds",
    )
    await ivr.start()
    try:
        yield ivr
    finally:
        await ivr.stop()


def originate(ami: Manager, channel: str, script: str, port: int, **variables: str) -> None:
    """Async originate; its OriginateResponse is not awaited (the IVR session tells)."""
    variables = {"DIALER_AGI": f"127.0.0.1:{port}", **variables}
    ami.send_action(
        {
            "Action": "Originate",
            "Channel": channel,
            "Context": "dialer-ivr",
            "Exten": script,
            "Priority": "1",
            "Async": "true",
            "Timeout": "20000",
            "CallerID": "IVR test <100>",
            "Variable": [f"{k}={v}" for k, v in variables.items()],
        }
    )


async def ended_sessions(
    sessions: async_sessionmaker[Any], count: int, server: IvrServer
) -> list[IvrSession]:
    for _ in range(int(WAIT_S / 0.2)):
        async with sessions() as db:
            done = await db.scalar(
                select(func.count()).select_from(IvrSession).where(IvrSession.ended_at.is_not(None))
            )
        if done >= count and server.active_sessions == 0:
            break
        await asyncio.sleep(0.2)
    async with sessions() as db:
        return list((await db.scalars(select(IvrSession).order_by(IvrSession.id))).all())


async def results(sessions: async_sessionmaker[Any]) -> list[ScriptResult]:
    async with sessions() as db:
        return list((await db.scalars(select(ScriptResult).order_by(ScriptResult.id))).all())


async def test_dtmf_from_a_simulated_debtor_walks_the_script(
    ami: Manager, server: IvrServer, sessions: async_sessionmaker[Any]
) -> None:
    debtor_id, attempt_id = await add_debtor(sessions)
    number = sim_number(SimOutcome.HUMAN, 30, 901)
    originate(
        ami,
        dial_string(number),
        "it_dtmf",
        server.port,
        __SIM_DTMF="1",
        DEBTOR_ID=str(debtor_id),
        ATTEMPT_ID=str(attempt_id),
    )
    [session] = await ended_sessions(sessions, 1, server)
    assert session.path == ["main", "pay", "store", "bye"], session.inputs
    assert session.end_reason == "hangup" and session.attempt_id == attempt_id
    assert session.channel.startswith("Local/")
    gathered = [i for i in session.inputs if i["verb"] == "gather"]
    assert [(g["raw"], g["outcome"]) for g in gathered] == [("1", "ok")]
    [result] = await results(sessions)
    assert (result.kind, result.amount, result.source) == (
        "promise_to_pay",
        Decimal("1234.56"),
        "ivr",
    )


async def test_speech_answer_and_recording(
    ami: Manager, server: IvrServer, sessions: async_sessionmaker[Any]
) -> None:
    if server.recognizer is None:
        pytest.skip("no speech recogniser here")
    originate(
        ami,
        "Local/s@ivr-test-callee",
        "it_speech",
        server.port,
        __IVR_TEST_SOUND="dialer/sim/yes",
        __IVR_TEST_GAP="0.6",
    )
    [session] = await ended_sessions(sessions, 1, server)
    assert session.path == ["main", "yes"], str(session.inputs)
    speech = [i for i in session.inputs if i["verb"] == "gather"]
    assert speech[-1]["input"] == "speech" and speech[-1]["value"] == "yes"
    [result] = await results(sessions)
    sample = PROJECT_ROOT / "sounds" / result.data["sample"]
    try:
        assert result.data["answer"] == "yes"
        assert sample.is_file() and sample.stat().st_size > 8000  # audio, not only a header
    finally:
        sample.unlink(missing_ok=True)


async def test_enqueue_lands_in_the_acd_queue(
    ami: Manager, server: IvrServer, sessions: async_sessionmaker[Any]
) -> None:
    waiting: asyncio.Future[Message] = asyncio.get_running_loop().create_future()

    def on_user_event(_manager: Manager, event: Message) -> None:
        if event.get("UserEvent") == "AcdCallWaiting" and not waiting.done():
            waiting.set_result(event)

    ami.register_event("UserEvent", on_user_event)
    originate(
        ami,
        "Local/s@ivr-test-callee",
        "it_queue",
        server.port,
        __IVR_TEST_DTMF="1",
        __IVR_TEST_TALK="8",
    )
    event = await asyncio.wait_for(waiting, WAIT_S)
    assert event.get("Queue") == "ivrtest"
    # both skills and the priority reach the ACD's queue event intact
    assert event.get("Skills") == "language=en&portfolio=bank-a"
    assert event.get("QueuePriority") == "2"
    [session] = await ended_sessions(sessions, 1, server)
    assert session.path == ["main", "agent"] and session.end_reason == "enqueued"


async def test_caller_hanging_up_mid_gather(
    ami: Manager, server: IvrServer, sessions: async_sessionmaker[Any]
) -> None:
    number = sim_number(SimOutcome.HUMAN, 3, 902)  # hangs up ~3 s after "hello?"
    originate(ami, dial_string(number), "it_wait", server.port)
    [session] = await ended_sessions(sessions, 1, server)
    assert session.end_reason == "caller_hangup"
    assert session.path == ["main"] and session.ended_at is not None
    assert server.active_sessions == 0
