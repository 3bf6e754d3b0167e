"""Plain records the ACD hands out (reservations, queue places, lost calls) and keeps per agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from acd.agent_state import AgentStateMachine
from acd.store import AgentProfile


@dataclass(frozen=True)
class AcdSettings:
    wrapup_s: float = 10.0  # wrap-up ends into READY by itself after this long
    # a reservation neither connected nor released by then is released (a caller's bug
    # or a lost event must not keep an agent out of routing for good)
    reservation_timeout_s: float = 30.0


@dataclass(frozen=True)
class Reservation:
    """An agent held for one call; pass it to `connect` or `release`."""

    login: str
    token: int
    endpoint: str
    reserved_at: datetime
    call_id: str | None = None


@dataclass(frozen=True)
class QueueStatus:
    call_id: str
    queue: str
    position: int  # 1 = next to be served
    estimated_wait_s: float


@dataclass(frozen=True)
class LostCall:
    """The call an agent had when their phone left: the caller must rescue it."""

    login: str
    attempt_id: int | None
    debtor_id: int | None
    channel: str


@dataclass
class AgentRecord:
    """What the ACD knows of one agent besides their state machine."""

    profile: AgentProfile
    machine: AgentStateMachine
    token: int = 0  # of the current reservation
    reserved_at: datetime | None = None
    connected_at: datetime | None = None
    debtor_id: int | None = None
    channel: str = ""
    wrapup_deadline: datetime | None = None
    break_deadline: datetime | None = None
    overrun: bool = False
