"""Typed PBX events: what the rest of the dialer hears about calls, never raw AMI.

Every call event carries `action_id`, the ActionID of the Originate that started the call
(the attempt key chosen by the caller of `AmiLink.originate`). Each originated call ends
with exactly one terminal event: `CallFailed` (never answered), `CallHungUp` (answered,
then ended) or `CallLost` (Asterisk no longer knew the call after a reconnect).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AmdStatus(StrEnum):
    """AMDSTATUS as set by Asterisk's AMD() application."""

    HUMAN = "HUMAN"
    MACHINE = "MACHINE"
    NOTSURE = "NOTSURE"
    HANGUP = "HANGUP"


class FailReason(StrEnum):
    """Why an originated call was never answered."""

    BUSY = "BUSY"
    NO_ANSWER = "NO_ANSWER"
    CONGESTION = "CONGESTION"
    FAILED = "FAILED"  # invalid number, unreachable trunk, rejected originate, ...


@dataclass(frozen=True, slots=True)
class CallRinging:
    """Asterisk created the outbound channel: the number is being dialled."""

    action_id: str
    at: datetime
    channel: str


@dataclass(frozen=True, slots=True)
class CallAnswered:
    action_id: str
    at: datetime
    channel: str
    uniqueid: str


@dataclass(frozen=True, slots=True)
class AmdResult:
    action_id: str
    at: datetime
    channel: str
    status: AmdStatus
    cause: str


@dataclass(frozen=True, slots=True)
class CallFailed:
    """Terminal: the call was never answered."""

    action_id: str
    at: datetime
    reason: FailReason


@dataclass(frozen=True, slots=True)
class CallBridged:
    """The answered channel entered a bridge; target is the conference/bridge name."""

    action_id: str
    at: datetime
    channel: str
    target: str


@dataclass(frozen=True, slots=True)
class CallHungUp:
    """Terminal: an answered call ended. cause is the Q.850 cause (0 when unknown)."""

    action_id: str
    at: datetime
    channel: str
    cause: int


@dataclass(frozen=True, slots=True)
class CallLost:
    """Terminal: after a reconnect Asterisk no longer had this call, which was not yet
    answered as far as we saw (an answered call that vanished gives CallHungUp, cause 0)."""

    action_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class LinkUp:
    """Logged in to AMI (first time or after a reconnect, once reconciliation is done)."""

    at: datetime
    action_id: str = ""


@dataclass(frozen=True, slots=True)
class LinkDown:
    """The AMI connection is gone; calls in flight are reconciled after the next LinkUp."""

    at: datetime
    action_id: str = ""


CallEvent = (
    CallRinging | CallAnswered | AmdResult | CallFailed | CallBridged | CallHungUp | CallLost
)
PbxEvent = CallEvent | LinkUp | LinkDown
TERMINAL_EVENTS = (CallFailed, CallHungUp, CallLost)
