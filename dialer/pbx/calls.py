"""Calls in flight, keyed by the Uniqueid Asterisk gives their channel.

The Originate sets `ChannelId` to our ActionID, so the outbound channel's Uniqueid *is*
the ActionID and one dict lookup ties any channel event to its attempt.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum


class CallPhase(Enum):
    ORIGINATING = "originating"  # Originate sent, no channel seen yet
    RINGING = "ringing"  # channel exists, not answered
    ANSWERED = "answered"


@dataclass(slots=True)
class TrackedCall:
    action_id: str
    generation: int  # link generation (login count) when the Originate was sent
    started: float = field(default_factory=time.monotonic)
    phase: CallPhase = CallPhase.ORIGINATING
    channel: str = ""
    dial_status: str = ""
    hangup_cause: int | None = None  # set when the channel hung up before answer
    hung_up_at: float = 0.0
    amd_reported: bool = False
    bridged_to: str = ""
    ring_timeout_s: float = 60.0

    @property
    def uniqueid(self) -> str:
        return self.action_id

    @property
    def answered(self) -> bool:
        return self.phase is CallPhase.ANSWERED


class CallTracker:
    """Live calls plus a bounded memory of recently ended ones (to recognise late events)."""

    RECENT_LIMIT = 20_000

    def __init__(self) -> None:
        self._live: dict[str, TrackedCall] = {}
        self._recent: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, action_id: object) -> bool:
        return action_id in self._live

    # An unanswered call with no outcome this long after its ring timeout is checked
    # against Asterisk's channels (its events were lost, e.g. under overload).
    STALE_AFTER_TIMEOUT_S = 60.0

    def track(self, action_id: str, generation: int, ring_timeout_s: float = 60.0) -> TrackedCall:
        if action_id in self._live or action_id in self._recent:
            raise ValueError(f"action_id {action_id!r} was already used for a call")
        call = TrackedCall(action_id, generation, ring_timeout_s=ring_timeout_s)
        self._live[action_id] = call
        return call

    def get(self, uniqueid: str) -> TrackedCall | None:
        return self._live.get(uniqueid)

    def recently_ended(self, uniqueid: str) -> bool:
        return uniqueid in self._recent

    def resolve(self, call: TrackedCall) -> None:
        """The call had its terminal event: forget it, but remember its id for a while."""
        self._live.pop(call.action_id, None)
        self._recent[call.action_id] = None
        if len(self._recent) > self.RECENT_LIMIT:
            self._recent.popitem(last=False)

    def calls(self) -> list[TrackedCall]:
        return list(self._live.values())

    def older_than(self, generation: int) -> list[TrackedCall]:
        """Calls originated before the current login (their events may have been missed)."""
        return [c for c in self._live.values() if c.generation < generation]

    def stale(self, now: float | None = None) -> list[TrackedCall]:
        now = time.monotonic() if now is None else now
        return [
            c
            for c in self._live.values()
            if not c.answered and now - c.started > c.ring_timeout_s + self.STALE_AFTER_TIMEOUT_S
        ]

    def clear(self) -> None:
        self._live.clear()
