"""Raw AMI events → typed PBX events, in this one place.

Rules (checked against recorded Asterisk 22 traffic in tests/unit/pbx/transcripts):
- Newchannel of our Uniqueid → CallRinging (the number is being dialled).
- Newstate Up, or OriginateResponse Reason 4, whichever comes first → CallAnswered.
- OriginateResponse Failure → CallFailed from `Reason` (5 busy, 8 congestion, 3 no answer,
  0/1 refined by the channel's Hangup cause). DialEnd's DialStatus is *not* trusted for
  the outcome: an invalid number gives DialStatus NOANSWER.
- UserEvent DialerAmd (sent by [dialer-outbound] after AMD) → AmdResult. VarSet events are
  in AMI's `dialplan` class, which the dialer's user does not read.
- BridgeEnter / ConfbridgeJoin → CallBridged, once per bridge.
- Hangup after answer → CallHungUp; before answer the OriginateResponse decides.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime

from dialer.db.types import utcnow
from dialer.pbx.calls import CallPhase, CallTracker, TrackedCall
from dialer.pbx.events import (
    AmdResult,
    AmdStatus,
    CallAnswered,
    CallBridged,
    CallEvent,
    CallFailed,
    CallHungUp,
    CallRinging,
    FailReason,
)

log = logging.getLogger(__name__)

RawEvent = Mapping[str, str]
Handler = Callable[[TrackedCall, RawEvent], list[CallEvent]]

_REASONS = {"3": FailReason.NO_ANSWER, "5": FailReason.BUSY, "8": FailReason.CONGESTION}
_CAUSES = {
    17: FailReason.BUSY,
    18: FailReason.NO_ANSWER,
    19: FailReason.NO_ANSWER,
    34: FailReason.CONGESTION,
    38: FailReason.CONGESTION,
    41: FailReason.CONGESTION,
    42: FailReason.CONGESTION,
}
_DIAL_STATUSES = {
    "BUSY": FailReason.BUSY,
    "NOANSWER": FailReason.NO_ANSWER,
    "CONGESTION": FailReason.CONGESTION,
}
STATE_UP = "6"
AMD_USER_EVENT = "DialerAmd"


def fail_reason(reason: str, hangup_cause: int | None) -> FailReason:
    """FailReason of a failed Originate (`Reason` header, refined by the Hangup cause)."""
    if reason in _REASONS:
        return _REASONS[reason]
    return _CAUSES.get(hangup_cause or 0, FailReason.FAILED)


def fallback_reason(call: TrackedCall) -> FailReason:
    """Best guess when the OriginateResponse never came (missed during a disconnect)."""
    if call.hangup_cause in _CAUSES:
        return _CAUSES[call.hangup_cause]
    return _DIAL_STATUSES.get(call.dial_status, FailReason.FAILED)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


class EventMapper:
    """Turns each raw AMI event into zero or more typed events, updating the tracker."""

    # Only these events are parsed at all (the wire layer drops the rest unread).
    EVENTS = frozenset(
        {
            "Newchannel",
            "Newstate",
            "DialEnd",
            "OriginateResponse",
            "UserEvent",
            "BridgeEnter",
            "ConfbridgeJoin",
            "Hangup",
        }
    )

    def __init__(self, tracker: CallTracker, clock: Callable[[], datetime] = utcnow) -> None:
        self.tracker = tracker
        self.clock = clock
        self._handlers: dict[str, tuple[str, Handler]] = {
            "Newchannel": ("Uniqueid", self._newchannel),
            "Newstate": ("Uniqueid", self._newstate),
            "DialEnd": ("DestUniqueid", self._dialend),
            "OriginateResponse": ("ActionID", self._originate_response),
            "UserEvent": ("Uniqueid", self._user_event),
            "BridgeEnter": ("Uniqueid", self._bridge_enter),
            "ConfbridgeJoin": ("Uniqueid", self._bridge_enter),
            "Hangup": ("Uniqueid", self._hangup),
        }

    def map(self, event: RawEvent) -> list[CallEvent]:
        name = event.get("Event", "")
        entry = self._handlers.get(name)
        if entry is None:
            return []
        key, handler = entry
        uniqueid = event.get(key, "")
        call = self.tracker.get(uniqueid)
        if call is None:
            return []  # another application's channel, or a call already settled
        try:
            return handler(call, event)
        except Exception:  # a malformed event must never take the link down
            log.warning("cannot map AMI %s event for %s: %r", name, uniqueid, dict(event))
            return []

    # -- terminal helpers -------------------------------------------------------------

    def failed(self, call: TrackedCall, reason: FailReason) -> list[CallEvent]:
        self.tracker.resolve(call)
        log.info("call %s failed: %s", call.action_id, reason)
        return [CallFailed(call.action_id, self.clock(), reason)]

    def _answered(self, call: TrackedCall, event: RawEvent) -> list[CallEvent]:
        if call.answered:
            return []
        call.phase = CallPhase.ANSWERED
        call.channel = event.get("Channel") or call.channel
        return [CallAnswered(call.action_id, self.clock(), call.channel, call.uniqueid)]

    # -- one handler per AMI event ----------------------------------------------------

    def _newchannel(self, call: TrackedCall, event: RawEvent) -> list[CallEvent]:
        call.channel = event["Channel"]
        if call.phase is not CallPhase.ORIGINATING:
            return []
        call.phase = CallPhase.RINGING
        return [CallRinging(call.action_id, self.clock(), call.channel)]

    def _newstate(self, call: TrackedCall, event: RawEvent) -> list[CallEvent]:
        if event.get("ChannelState") != STATE_UP:
            return []
        out = self._newchannel(call, event) if call.phase is CallPhase.ORIGINATING else []
        return out + self._answered(call, event)

    def _dialend(self, call: TrackedCall, event: RawEvent) -> list[CallEvent]:
        call.dial_status = event.get("DialStatus", "")
        return []

    def _originate_response(self, call: TrackedCall, event: RawEvent) -> list[CallEvent]:
        if event.get("Response") == "Success" or event.get("Reason") == "4":
            out = self._newchannel(call, event) if call.phase is CallPhase.ORIGINATING else []
            return out + self._answered(call, event)
        if call.answered:  # cannot happen in Asterisk; keep the answered call tracked
            log.warning("OriginateResponse failure after answer for %s", call.action_id)
            return []
        return self.failed(call, fail_reason(event.get("Reason", "0"), call.hangup_cause))

    def _user_event(self, call: TrackedCall, event: RawEvent) -> list[CallEvent]:
        if event.get("UserEvent") != AMD_USER_EVENT or call.amd_reported:
            return []
        raw = event.get("Status", "").strip().upper()
        try:
            status = AmdStatus(raw)
        except ValueError:
            log.warning("call %s: unexpected AMDSTATUS %r, taken as NOTSURE", call.action_id, raw)
            status = AmdStatus.NOTSURE
        call.amd_reported = True
        out = self._answered(call, event)  # AMD runs only on an answered channel
        at = self.clock()
        return [*out, AmdResult(call.action_id, at, call.channel, status, event.get("Cause", ""))]

    def _bridge_enter(self, call: TrackedCall, event: RawEvent) -> list[CallEvent]:
        if event.get("Event") == "BridgeEnter" and event.get("BridgeTechnology") == "softmix":
            return []  # a ConfBridge: its ConfbridgeJoin names the conference
        target = event.get("Conference") or event.get("BridgeName") or event["BridgeUniqueid"]
        if target == call.bridged_to:
            return []
        call.bridged_to = target
        return [CallBridged(call.action_id, self.clock(), call.channel, target)]

    def _hangup(self, call: TrackedCall, event: RawEvent) -> list[CallEvent]:
        cause = _int(event.get("Cause", "0"))
        if call.answered:
            self.tracker.resolve(call)
            return [CallHungUp(call.action_id, self.clock(), call.channel, cause)]
        # Before answer the OriginateResponse (usually right after) tells why.
        call.hangup_cause = cause
        call.hung_up_at = time.monotonic()
        return []
