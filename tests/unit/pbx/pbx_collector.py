"""Test helpers: collect a link's events and wait for them without sleeping."""

from __future__ import annotations

import asyncio

from dialer.config import AsteriskSettings
from dialer.pbx.events import PbxEvent

WAIT_S = 20.0


def settings(**values: object) -> AsteriskSettings:
    return AsteriskSettings.model_validate(values)


class Collector:
    def __init__(self) -> None:
        self.events: list[PbxEvent] = []
        self._changed = asyncio.Event()

    def __call__(self, event: PbxEvent) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(self, kind: type, action_id: str = "") -> PbxEvent:
        async def _wait() -> PbxEvent:
            while True:
                for event in self.events:
                    if isinstance(event, kind) and (not action_id or event.action_id == action_id):
                        return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(_wait(), WAIT_S)

    async def wait_count(self, kind: type, count: int) -> None:
        async def _wait() -> None:
            while sum(isinstance(e, kind) for e in self.events) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(_wait(), WAIT_S)

    def of(self, action_id: str) -> list[type]:
        return [type(e) for e in self.events if e.action_id == action_id]
