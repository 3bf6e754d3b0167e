"""Settle calls whose events may have been missed while the AMI link was down.

After a reconnect we ask Asterisk for its channels (CoreShowChannels). A call we track
whose channel is gone is resolved once — CallHungUp if it had been answered, CallFailed if
we know why it failed, else CallLost — and never dialled again. A call still up is kept,
and what we missed of it (answer, bridge) is reported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from dialer.db.types import utcnow
from dialer.pbx.calls import CallPhase, CallTracker, TrackedCall
from dialer.pbx.events import (
    CallAnswered,
    CallBridged,
    CallEvent,
    CallFailed,
    CallHungUp,
    CallLost,
    CallRinging,
)
from dialer.pbx.wire.mapping import STATE_UP, fallback_reason

log = logging.getLogger(__name__)

# A channel that hung up before answer normally gets its OriginateResponse within
# milliseconds; after this long we stop waiting and settle the call ourselves.
ORPHAN_AFTER_S = 15.0


def reconcile(
    tracker: CallTracker,
    channels: Sequence[Mapping[str, str]],
    calls: Iterable[TrackedCall],
    clock: Callable[[], datetime] = utcnow,
) -> list[CallEvent]:
    """Events that settle `calls` given Asterisk's current channels (CoreShowChannels)."""
    live = {ch.get("Uniqueid", ""): ch for ch in channels}
    out: list[CallEvent] = []
    for call in calls:
        if call.action_id not in tracker:
            continue  # settled by a live event meanwhile
        channel = live.get(call.uniqueid)
        if channel is None:
            out.extend(_gone(tracker, call, clock()))
        else:
            out.extend(_still_up(call, channel, clock()))
    return out


def _gone(tracker: CallTracker, call: TrackedCall, at: datetime) -> list[CallEvent]:
    tracker.resolve(call)
    if call.answered:
        log.warning("call %s ended while AMI was down", call.action_id)
        return [CallHungUp(call.action_id, at, call.channel, call.hangup_cause or 0)]
    if call.hangup_cause is not None:
        reason = fallback_reason(call)
        log.warning("call %s failed while AMI was down (%s)", call.action_id, reason)
        return [CallFailed(call.action_id, at, reason)]
    log.warning("call %s lost: Asterisk no longer has it", call.action_id)
    return [CallLost(call.action_id, at)]


def _still_up(call: TrackedCall, channel: Mapping[str, str], at: datetime) -> list[CallEvent]:
    out: list[CallEvent] = []
    call.channel = channel.get("Channel") or call.channel
    if call.phase is CallPhase.ORIGINATING:
        call.phase = CallPhase.RINGING
        out.append(CallRinging(call.action_id, at, call.channel))
    if channel.get("ChannelState") == STATE_UP and not call.answered:
        call.phase = CallPhase.ANSWERED
        out.append(CallAnswered(call.action_id, at, call.channel, call.uniqueid))
    bridge = channel.get("BridgeId", "")
    if bridge and not call.bridged_to:
        call.bridged_to = bridge
        out.append(CallBridged(call.action_id, at, call.channel, bridge))
    log.info("call %s survived the reconnect (%s)", call.action_id, call.phase.value)
    return out


def orphans(
    tracker: CallTracker, now: float | None = None, clock: Callable[[], datetime] = utcnow
) -> list[CallEvent]:
    """Calls whose channel hung up before answer but whose OriginateResponse never came."""
    now = time.monotonic() if now is None else now
    out: list[CallEvent] = []
    for call in tracker.calls():
        if call.hangup_cause is not None and now - call.hung_up_at > ORPHAN_AFTER_S:
            tracker.resolve(call)
            out.append(CallFailed(call.action_id, clock(), fallback_reason(call)))
    return out
