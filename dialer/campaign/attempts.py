"""The call attempt state machine and its storage.

An attempt is committed in state DECIDED before its Originate is sent, so a crash can never
dial a number twice: on restart, attempts still in flight are reconciled, never re-dialled.

    decided -> originated -> ringing -> answered -> connected | ivr | abandoned | machine -> ended
    any state before ended -> ended (failure, hang-up, lost)
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from dialer.db.models import CallAttempt
from dialer.db.outcomes import AttemptOutcome
from dialer.db.types import utcnow

log = logging.getLogger(__name__)


class AttemptState(StrEnum):
    DECIDED = "decided"
    ORIGINATED = "originated"
    RINGING = "ringing"
    ANSWERED = "answered"
    CONNECTED = "connected"
    IVR = "ivr"
    MACHINE = "machine"
    ABANDONED = "abandoned"
    ENDED = "ended"


S = AttemptState
TRANSITIONS: dict[AttemptState, frozenset[AttemptState]] = {
    S.DECIDED: frozenset({S.ORIGINATED, S.ENDED}),
    S.ORIGINATED: frozenset({S.RINGING, S.ANSWERED, S.ENDED}),
    S.RINGING: frozenset({S.ANSWERED, S.ENDED}),
    S.ANSWERED: frozenset({S.CONNECTED, S.IVR, S.MACHINE, S.ABANDONED, S.ENDED}),
    S.CONNECTED: frozenset({S.ENDED}),
    S.IVR: frozenset({S.CONNECTED, S.ENDED}),
    S.MACHINE: frozenset({S.ENDED}),
    S.ABANDONED: frozenset({S.ENDED}),
    S.ENDED: frozenset(),
}
IN_FLIGHT = frozenset(set(AttemptState) - {S.ENDED})
# Timestamps set when entering a state.
_STAMPS = {
    S.ORIGINATED: "originated_at",
    S.ANSWERED: "answered_at",
    S.CONNECTED: "bridged_at",
    S.ENDED: "ended_at",
}


class IllegalTransition(ValueError):
    pass


def can_move(current: AttemptState, target: AttemptState) -> bool:
    return target in TRANSITIONS[current]


def path_to(current: AttemptState, target: AttemptState) -> list[AttemptState]:
    """States to pass through from `current` to `target` (events may skip e.g. RINGING)."""
    if current == target:
        return []
    if can_move(current, target):
        return [target]
    for step in (S.ORIGINATED, S.ANSWERED):
        if can_move(current, step) and can_move(step, target):
            return [step, target]
        if can_move(current, step):
            rest = path_to(step, target)
            if rest:
                return [step, *rest]
    raise IllegalTransition(f"no way from {current} to {target}")


async def move(
    session: AsyncSession,
    attempt_id: int,
    current: AttemptState,
    target: AttemptState,
    at: datetime | None = None,
    **fields: Any,
) -> AttemptState:
    """Move one attempt to `target` (through intermediate states), storing `fields` too.

    The UPDATE is guarded by the current state so two writers cannot both move it.
    """
    steps = path_to(current, target)
    values: dict[str, Any] = dict(fields)
    when = at or utcnow()
    for step in steps:
        stamp = _STAMPS.get(step)
        if stamp is not None:
            values.setdefault(stamp, when)
    if steps:
        values["state"] = target.value
    if not values:
        return current
    result = await session.execute(
        update(CallAttempt)
        .where(CallAttempt.id == attempt_id, CallAttempt.state == current.value)
        .values(**values)
    )
    if getattr(result, "rowcount", 1) == 0:
        raise IllegalTransition(f"attempt {attempt_id} is no longer {current}")
    log.debug("attempt %s: %s -> %s %s", attempt_id, current, target, fields or "")
    return target


def new_action_id(campaign_id: int) -> str:
    """The Originate ActionID: our attempt key, unique across campaigns, workers and restarts."""
    return f"c{campaign_id}-{uuid4().hex[:24]}"


def outcome_of_state(state: AttemptState) -> AttemptOutcome | None:
    return {
        S.CONNECTED: AttemptOutcome.CONNECTED,
        S.IVR: AttemptOutcome.IVR,
        S.MACHINE: AttemptOutcome.MACHINE,
        S.ABANDONED: AttemptOutcome.ABANDONED,
    }.get(state)
