"""What the campaign runtime needs from its neighbours, as small Protocols.

The real implementations are dialer.pbx.link.AmiLink and acd.pbx_link.AcdPbxLink; unit tests
pass scripted fakes with the same methods.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from dialer.pbx.actions import OriginateRequest
from dialer.pbx.events import PbxEvent

EventHandler = Callable[[PbxEvent], Awaitable[None] | None]
Publish = Callable[[dict[str, Any]], None]


class CallControl(Protocol):
    """The AMI seam (AmiLink)."""

    def subscribe(self, handler: EventHandler) -> Any: ...

    async def originate(self, req: OriginateRequest) -> None: ...

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> None: ...

    async def hangup(self, channel: str, cause: int = 16) -> None: ...

    async def channels(self) -> list[dict[str, str]]: ...


class AgentConnector(Protocol):
    """Puts an answered debtor channel into an agent's persistent session (AcdPbxLink)."""

    async def connect(
        self, debtor_channel: str, agent_login: str, *, answered_at: datetime | None = None
    ) -> Any: ...


def no_publish(_event: dict[str, Any]) -> None:
    return None


class Fanout:
    """One publish function feeding several listeners (the web's LiveHub, the demo's agents)."""

    def __init__(self, *listeners: Publish) -> None:
        self.listeners = list(listeners)

    def __call__(self, event: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(event)
