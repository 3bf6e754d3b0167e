"""Simulated agents' behaviour: ready after login, wrap-up then ready, breaks then back."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from acd import Acd, AcdSettings, AgentProfile, AgentState
from acd.behaviour import AgentBehaviour, BehaviourSettings


async def wait_state(acd: Acd, login: str, state: AgentState) -> None:
    async with asyncio.timeout(20):
        while acd.state_of(login) is not state:
            await asyncio.sleep(0.01)


async def test_agent_gets_ready_after_login_and_after_each_call_with_a_break() -> None:
    acd = Acd(settings=AcdSettings(wrapup_s=600))  # only the simulated agent ends wrap-up
    acd.add_agent(AgentProfile("1001"))
    events: list[dict[str, Any]] = []
    acd.subscribe(events.append)
    fast = BehaviourSettings(
        ready_after_login_s=0.01, wrapup_s=(0.01, 0.02), break_probability=1.0, break_s=(0.01, 0.02)
    )
    behaviour = AgentBehaviour(acd, ["1001"], fast, random.Random(1))
    behaviour.start()
    try:
        acd.login("1001")
        await wait_state(acd, "1001", AgentState.READY)
        reservation = acd.reserve()
        assert reservation is not None
        acd.connect(reservation)
        acd.call_ended("1001")
        await wait_state(acd, "1001", AgentState.READY)
    finally:
        await behaviour.stop()
        await acd.aclose()
    states = [(e["state"], e["reason"]) for e in events if e["type"] == "agent_state"]
    assert ("paused", "break") in states
    assert states[-1] == ("ready", None)
    assert behaviour.breaks_taken == 1
