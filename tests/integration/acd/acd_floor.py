"""The agent floor the ACD's integration tests drive: the ACD, its PBX side, SIP agent phones.

Agents are pyVoIP phones registered as agent1021..agent1030 (this suite's range); debtors
are simulated PSTN numbers originated through the PBX seam.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from acd import Acd, AcdSettings, AgentProfile, AgentState, Skills
from acd.pbx_link import AcdPbxLink
from acd.sim_agents import SimAgentPool
from dialer.config import AsteriskSettings
from dialer.pbx.actions import OriginateRequest
from dialer.pbx.events import CallAnswered, CallHungUp, PbxEvent
from dialer.pbx.link import AmiLink
from dialer.pbx.simnumbers import SimOutcome, dial_string, sim_number

WAIT_S = 25.0
LOGINS = [str(n) for n in range(1021, 1031)]
_serial = itertools.count(100)


@dataclass
class Floor:
    acd: Acd
    ami: AmiLink
    pbx: AcdPbxLink
    phones: SimAgentPool
    events: list[dict[str, Any]] = field(default_factory=list)
    pbx_events: list[PbxEvent] = field(default_factory=list)
    user_events: list[dict[str, str]] = field(default_factory=list)  # raw AMI UserEvents
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def until(self, what: Callable[[], Any], timeout_s: float = WAIT_S) -> Any:
        """Wait for `what()` to be truthy (re-checked on every ACD or PBX event)."""
        async with asyncio.timeout(timeout_s):
            while not (result := what()):
                self.changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), 0.5)
        return result

    def state(self, login: str) -> AgentState:
        return self.acd.state_of(login)

    async def debtor(self, talk_s: int, context: str = "dialer-outbound", exten: str = "s") -> str:
        """Dial a simulated person; returns the ActionID (the answered channel comes later)."""
        number = sim_number(SimOutcome.HUMAN, talk_s, next(_serial))
        action_id = f"acd-test-{number.lstrip('+')}-{next(_serial)}"
        await self.ami.originate(
            OriginateRequest(
                action_id, dial_string(number), context, exten, variables={"DIALER_WAIT": "60"}
            )
        )
        return action_id

    async def answered(self, action_id: str) -> CallAnswered:
        def seen() -> CallAnswered | None:
            for event in self.pbx_events:
                if isinstance(event, CallAnswered) and event.action_id == action_id:
                    return event
            return None

        answered: CallAnswered = await self.until(seen)
        return answered

    def hung_up(self, action_id: str) -> bool:
        return any(isinstance(e, CallHungUp) and e.action_id == action_id for e in self.pbx_events)

    def connected_to(self, login: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == "call_connected" and e["login"] == login]

    def of_type(self, kind: str, **fields: Any) -> list[dict[str, Any]]:
        """ACD events of `kind` whose fields match."""
        return [
            e
            for e in self.events
            if e["type"] == kind and all(e.get(k) == v for k, v in fields.items())
        ]

    def announcements(self, uniqueid: str, status: str | None = None) -> list[dict[str, str]]:
        """What the dialplan reported playing to the waiting caller (UserEvent AcdAnnouncement)."""
        return [
            e
            for e in self.user_events
            if e.get("UserEvent") == "AcdAnnouncement"
            and e.get("Uniqueid") == uniqueid
            and (status is None or e.get("Status") == status)
        ]


@contextlib.asynccontextmanager
async def open_floor(skills: Mapping[str, Skills]) -> AsyncIterator[Floor]:
    """Agents 1021..1030 (with `skills` by login), logged out; phones registered."""
    acd = Acd(settings=AcdSettings(wrapup_s=1.0))
    for login in LOGINS:
        acd.add_agent(
            AgentProfile(login, name=f"Agent {login}", skills=skills.get(login, Skills()))
        )
    ami = AmiLink(AsteriskSettings())
    pbx = AcdPbxLink(ami, acd)
    phones = SimAgentPool(LOGINS)
    floor = Floor(acd, ami, pbx, phones)

    def on_acd(event: dict[str, Any]) -> None:
        floor.events.append(event)
        floor.changed.set()

    def on_pbx(event: PbxEvent) -> None:
        floor.pbx_events.append(event)
        floor.changed.set()

    def on_user_event(event: Mapping[str, str]) -> None:
        floor.user_events.append(dict(event))
        floor.changed.set()

    acd.subscribe(on_acd)
    ami.subscribe(on_pbx)
    ami.subscribe_raw(["UserEvent"], on_user_event)  # before start: no filter to undo
    await ami.start()
    try:
        await pbx.start()
        await phones.start()
        yield floor
    finally:
        await pbx.stop()
        await phones.stop()
        await ami.stop()
        await acd.aclose()
