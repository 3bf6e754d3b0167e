"""An IVR caller who asks for an agent reaches one with the skills the script asked for.

The IVR's `enqueue` verb (tests/integration/ivr/scripts/it_queue.yaml) asks for
language=en and portfolio=bank-a with priority 2; the call crosses the dialplan
([dialer-ivr] → [acd-queue]) to the ACD, which must not give it to an agent lacking them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd import AgentState, QueueConfig, Skills
from dialer.config import PROJECT_ROOT, Settings
from dialer.pbx.actions import OriginateRequest
from ivr.server import IvrServer
from tests.integration.acd.acd_floor import Floor

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")

SCRIPTS = Path(__file__).parents[1] / "ivr" / "scripts"
POLISH = Skills.from_json({"language": ["pl"], "portfolio": ["bank-a"]})
ENGLISH = Skills.from_json({"language": ["en", "pl"], "portfolio": ["bank-a", "bank-b"]})


@pytest.fixture
def agent_skills() -> dict[str, Skills]:
    return {"1024": POLISH, "1025": ENGLISH}


@pytest.fixture
async def ivr(sessions: async_sessionmaker[Any]) -> AsyncIterator[IvrServer]:
    server = IvrServer(
        Settings(),
        sessions,
        SCRIPTS,
        host="127.0.0.1",
        port=0,
        recognizer=None,
        sounds_dir=PROJECT_ROOT / "sounds",
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_ivr_enqueue_with_a_skill_reaches_the_agent_who_has_it(
    floor: Floor, ivr: IvrServer
) -> None:
    floor.acd.add_queue(QueueConfig("ivrtest", max_wait_s=120, announce=False))
    await floor.pbx.login("1024", ready=True)  # the only free agent, but no English
    await floor.pbx.login("1025")  # English, not ready yet
    await floor.ami.originate(
        OriginateRequest(
            f"acd-ivr-enqueue-{uuid.uuid4().hex[:12]}",  # a uniqueid is refused while in use
            "Local/s@ivr-test-callee",
            "dialer-ivr",
            "it_queue",
            variables={
                "DIALER_AGI": f"127.0.0.1:{ivr.port}",
                "__IVR_TEST_DTMF": "1",
                "__IVR_TEST_TALK": "60",
            },
        )
    )
    await floor.until(
        lambda: floor.of_type("queue_entered", queue="ivrtest") or floor.of_type("call_connected")
    )
    assert not floor.connected_to("1024"), "the call went to the agent without English"
    [entered] = floor.of_type("queue_entered", queue="ivrtest")
    assert entered["skills"] == ["language=en", "portfolio=bank-a"]
    assert entered["priority"] == 2
    waiting = floor.acd.queues.get(entered["call_id"])
    assert waiting is not None and waiting.channel
    assert floor.state("1024") is AgentState.READY  # not given a call it cannot take

    floor.acd.ready("1025")
    await floor.until(lambda: floor.connected_to("1025"))
    assert floor.state("1025") is AgentState.ON_CALL
    assert not floor.connected_to("1024") and floor.state("1024") is AgentState.READY
    await floor.ami.hangup(waiting.channel)
    await floor.until(lambda: floor.state("1025") is not AgentState.ON_CALL)
