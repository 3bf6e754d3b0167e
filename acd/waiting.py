"""A caller entering the ACD's queue, as the dialplan's [acd-queue] reports it.

`UserEvent(AcdCallWaiting, ...)` carries the queue, the caller and what the call needs:
`Skills` (a `Requirement.encode()` word, from ACD_SKILLS) and `QueuePriority` (from
ACD_PRIORITY; not `Priority`: every channel event already has that header, the dialplan
step, and a second one would be lost). A UserEvent body is a comma-separated list of
headers, so the skills travel comma-free (the dialplan turns stray commas into `&`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from acd.routing import Requirement

log = logging.getLogger(__name__)

WAITING_EVENT = "AcdCallWaiting"
ANNOUNCEMENT_EVENT = "AcdAnnouncement"


@dataclass(frozen=True)
class WaitingCaller:
    queue: str
    uniqueid: str
    channel: str
    caller_id: str = ""
    attempt_id: int | None = None
    debtor_id: int | None = None
    skills: Requirement = field(default_factory=Requirement)
    priority: int = 0


def waiting_caller(event: Mapping[str, str]) -> WaitingCaller:
    channel = event.get("Channel", "")
    return WaitingCaller(
        queue=event.get("Queue", ""),
        uniqueid=event["Uniqueid"],
        channel=channel,
        caller_id=event.get("CallerIDNum", ""),
        attempt_id=int_or_none(event.get("AttemptId")),
        debtor_id=int_or_none(event.get("DebtorId")),
        skills=_skills(event.get("Skills", ""), channel),
        priority=int_or_none(event.get("QueuePriority")) or 0,
    )


def _skills(text: str, channel: str) -> Requirement:
    try:
        return Requirement.decode(text)
    except ValueError as exc:
        # Routed without them rather than stranded: a caller must reach someone.
        log.error("caller %s: unreadable skills %r (%s): routed without them", channel, text, exc)
        return Requirement()


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
