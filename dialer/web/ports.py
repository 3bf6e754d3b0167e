"""What the web app needs from the running campaign and from the ACD, as small Protocols.

The campaign runtime implements CampaignControls and AgentDesk; the web app never reaches
into their internals. Operations a component refuses (unknown campaign, a transition the
agent state machine forbids) raise ControlError with a message a person can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from dialer.db.outcomes import ResultKind


class ControlError(Exception):
    """A refused operation; the message is shown to the user (HTTP 409)."""


@dataclass(frozen=True)
class PacingUpdate:
    """Supervisor changes to a campaign's pacing; None leaves a value as it is."""

    mode: str | None = None  # preview | progressive | predictive | agentless
    target_abandon_pct: float | None = None  # e.g. 3.0
    max_ratio: float | None = None  # upper bound of lines dialled per free agent
    intensity: float | None = None  # supervisor's aggressiveness factor, 1.0 = neutral


@dataclass(frozen=True)
class PacingView:
    """The campaign's pacing settings and its latest decision, for the dashboard."""

    campaign: str
    status: str  # running | paused | stopped
    mode: str
    target_abandon_pct: float
    max_ratio: float
    intensity: float
    ratio: float  # current dial ratio (lines per free agent)
    predicted_abandon_pct: float
    abandon_pct: float  # measured over the campaign so far
    dial: int  # calls the latest decision asked for
    reason: str
    at: datetime


@runtime_checkable
class CampaignControls(Protocol):
    async def start(self, campaign: str) -> None: ...

    async def pause(self, campaign: str) -> None: ...

    async def resume(self, campaign: str) -> None: ...

    async def stop(self, campaign: str) -> None: ...

    async def set_pacing(self, campaign: str, update: PacingUpdate) -> PacingView: ...

    def pacing(self, campaign: str) -> PacingView | None:
        """Latest snapshot, or None when the campaign is not loaded in this process."""
        ...


@dataclass(frozen=True)
class AgentView:
    """One agent's current state as the ACD sees it."""

    login: str
    name: str
    state: str  # logged_out | ready | reserved | on_call | wrap_up | paused
    since: datetime
    reason: str | None = None  # pause reason code
    allowance_s: int | None = None  # the pause reason's allowance (break overrun after it)
    attempt_id: int | None = None  # the call the agent is on or wrapping up
    debtor_id: int | None = None
    campaign: str | None = None


@dataclass(frozen=True)
class Disposition:
    """The result form an agent submits after (or during) a call."""

    debtor_id: int
    kind: ResultKind
    attempt_id: int | None = None
    amount: Decimal | None = None
    currency: str | None = None
    promised_date: date | None = None
    callback_at: datetime | None = None
    callback_to_me: bool = False  # callback to this agent, otherwise to the pool
    note: str = ""


@runtime_checkable
class AgentDesk(Protocol):
    async def login(self, login: str) -> None: ...

    async def ready(self, login: str) -> None: ...

    async def pause(self, login: str, reason: str) -> None: ...

    async def logout(self, login: str) -> None: ...

    async def submit_disposition(self, login: str, disposition: Disposition) -> int:
        """Store the result (ScriptResult), end wrap-up as the ACD sees fit; returns its id."""
        ...

    def agents(self) -> list[AgentView]: ...
