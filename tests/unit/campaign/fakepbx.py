"""A scripted PBX for the runner's unit tests: plays each simulated number's outcome quickly."""

from __future__ import annotations

import asyncio
from typing import Any

from dialer.db.types import utcnow
from dialer.pbx.actions import OriginateRequest
from dialer.pbx.events import (
    AmdResult,
    AmdStatus,
    CallAnswered,
    CallBridged,
    CallFailed,
    CallHungUp,
    CallRinging,
    FailReason,
    PbxEvent,
)
from dialer.pbx.simnumbers import SimOutcome, decode


class FakePbx:
    def __init__(self, talk_scale: float = 0.01) -> None:
        self.handlers: list[Any] = []
        self.originated: list[OriginateRequest] = []
        self.redirects: list[tuple[str, str, str]] = []
        self.live: dict[str, str] = {}  # channel -> action id
        self.talk_scale = talk_scale
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self, handler: Any) -> None:
        self.handlers.append(handler)

    def emit(self, event: PbxEvent) -> None:
        for handler in self.handlers:
            handler(event)

    async def originate(self, req: OriginateRequest) -> None:
        self.originated.append(req)
        digits = req.channel.split("/")[1].split("@")[0]
        task = asyncio.get_running_loop().create_task(self._play(req.action_id, "+" + digits))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _play(self, action_id: str, number: str) -> None:
        outcome, talk = decode(number)
        channel = f"Local/{number[1:]}@sim-pstn-{action_id};1"
        await asyncio.sleep(0.01)
        self.emit(CallRinging(action_id, utcnow(), channel))
        await asyncio.sleep(0.02)
        fails = {
            SimOutcome.BUSY: FailReason.BUSY,
            SimOutcome.NO_ANSWER: FailReason.NO_ANSWER,
            SimOutcome.CONGESTION: FailReason.CONGESTION,
            SimOutcome.INVALID: FailReason.FAILED,
        }
        if outcome in fails:
            self.emit(CallFailed(action_id, utcnow(), fails[outcome]))
            return
        self.live[channel] = action_id
        self.emit(CallAnswered(action_id, utcnow(), channel, action_id))
        await asyncio.sleep(0.02)
        status = AmdStatus.HUMAN if outcome is SimOutcome.HUMAN else AmdStatus.MACHINE
        self.emit(AmdResult(action_id, utcnow(), channel, status, ""))
        await asyncio.sleep(max(0.05, talk * self.talk_scale))
        self.live.pop(channel, None)
        self.emit(CallHungUp(action_id, utcnow(), channel, 16))

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> None:
        self.redirects.append((channel, context, exten))

    async def hangup(self, channel: str, cause: int = 16) -> None:
        self.live.pop(channel, None)

    async def channels(self) -> list[dict[str, str]]:
        return [{"Channel": c, "Uniqueid": a} for c, a in self.live.items()]

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class FakeConnector:
    def __init__(self, pbx: FakePbx) -> None:
        self.pbx = pbx
        self.connected: list[tuple[str, str]] = []

    async def connect(
        self, debtor_channel: str, agent_login: str, *, answered_at: Any = None
    ) -> None:
        self.connected.append((debtor_channel, agent_login))
        action_id = self.pbx.live.get(debtor_channel, "")
        self.pbx.emit(CallBridged(action_id, utcnow(), debtor_channel, f"agent-{agent_login}"))
