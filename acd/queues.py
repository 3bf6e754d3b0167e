"""Call queues: answered calls (outbound or inbound) waiting for a qualified agent.

Campaign calls and debtors calling in share the same queues (blended). Within a queue
calls are ordered by their priority, then by how long they have waited; across queues
an agent who becomes free takes the call of the highest-priority queue they qualify for.
Callers who wait longer than the queue's `max_wait_s` get its treatment. A call may need
skills of its own (an IVR's `enqueue` with `skills`) on top of its queue's requirement.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from acd.errors import UnknownQueueError
from acd.routing import Requirement, Skills


class Treatment(StrEnum):
    """What happens to a caller who waited too long (extensions_acd.conf [acd-treatment])."""

    MESSAGE = "message"  # play a message, then hang up
    IVR = "ivr"  # send to an IVR script (treatment_target = script name)
    CALLBACK = "callback"  # record a callback request, then hang up


@dataclass(frozen=True)
class QueueConfig:
    name: str
    requirement: Requirement = field(default_factory=Requirement)
    priority: int = 0  # higher first
    max_wait_s: float = 60.0
    treatment: Treatment = Treatment.MESSAGE
    treatment_target: str = ""  # sound (message) or IVR script name
    # Waiting callers hear their position and estimated wait when they enter the queue and
    # then every `announce_every_s` (0: only on entry); `announce=False`: silence.
    announce: bool = True
    announce_every_s: float = 30.0


@dataclass
class QueuedCall:
    call_id: str  # attempt ActionID, or the inbound channel's uniqueid
    queue: str
    entered_at: datetime
    priority: int = 0
    channel: str = ""
    attempt_id: int | None = None
    debtor_id: int | None = None
    inbound: bool = False
    caller_id: str = ""
    requirement: Requirement = field(default_factory=Requirement)  # the call's own skills
    seq: int = field(default=0, compare=False)

    def sort_key(self) -> tuple[int, datetime, int]:
        return (-self.priority, self.entered_at, self.seq)


class CallQueues:
    def __init__(self) -> None:
        self._configs: dict[str, QueueConfig] = {}
        self._lines: dict[str, list[tuple[tuple[int, datetime, int], str]]] = {}
        self._calls: dict[str, QueuedCall] = {}
        self._seq = itertools.count()

    def add_queue(self, config: QueueConfig) -> None:
        self._configs[config.name] = config
        self._lines.setdefault(config.name, [])

    def config(self, name: str) -> QueueConfig:
        try:
            return self._configs[name]
        except KeyError:
            raise UnknownQueueError(name) from None

    def names(self) -> list[str]:
        return list(self._configs)

    def __len__(self) -> int:
        return len(self._calls)

    def get(self, call_id: str) -> QueuedCall | None:
        return self._calls.get(call_id)

    def enqueue(self, call: QueuedCall) -> int:
        """Add a call; return its 1-based position in its queue."""
        self.config(call.queue)
        call.seq = next(self._seq)
        line = self._lines[call.queue]
        entry = (call.sort_key(), call.call_id)
        bisect.insort(line, entry)
        self._calls[call.call_id] = call
        return line.index(entry) + 1

    def remove(self, call_id: str) -> QueuedCall | None:
        call = self._calls.pop(call_id, None)
        if call is not None:
            self._lines[call.queue].remove((call.sort_key(), call_id))
        return call

    def position(self, call_id: str) -> int | None:
        call = self._calls.get(call_id)
        if call is None:
            return None
        return self._lines[call.queue].index((call.sort_key(), call_id)) + 1

    def waiting(self, queue: str) -> list[QueuedCall]:
        return [self._calls[call_id] for _key, call_id in self._lines[self.config(queue).name]]

    def next_for(self, skills: Skills) -> QueuedCall | None:
        """The call an agent with `skills` should take next, or None."""
        best: tuple[int, tuple[int, datetime, int]] | None = None
        chosen: QueuedCall | None = None
        for name, line in self._lines.items():
            config = self._configs[name]
            if not line or not config.requirement.accepts(skills):
                continue
            found = self._first_accepted(line, skills)
            if found is None:
                continue
            rank = (-config.priority, found.sort_key())
            if best is None or rank < best:
                best, chosen = rank, found
        return chosen

    def _first_accepted(
        self, line: list[tuple[tuple[int, datetime, int], str]], skills: Skills
    ) -> QueuedCall | None:
        # A call needing a skill this agent lacks keeps its place for another agent.
        for _key, call_id in line:
            call = self._calls[call_id]
            if call.requirement.accepts(skills):
                return call
        return None

    def overdue(self, now: datetime) -> list[QueuedCall]:
        """Calls that waited longer than their queue allows (still queued: remove them)."""
        late = []
        for call in self._calls.values():
            limit = self._configs[call.queue].max_wait_s
            if (now - call.entered_at).total_seconds() >= limit:
                late.append(call)
        return late
