"""QueueLink: callers waiting in the ACD's queues on Asterisk, and how they leave them.

- A caller in [acd-queue] raises UserEvent AcdCallWaiting (read by acd.waiting): they join
  the ACD's queue with the call's own skills and priority and, while they wait, hear their
  position and estimated wait (QueueAnnouncer).
- They leave to an agent who became free (the ACD's assignment, put through by
  AcdPbxLink), to the queue's treatment after its wait limit ([acd-treatment], or an IVR
  script in [dialer-ivr]), or by hanging up.
- A debtor whose agent's phone dropped mid-call is rescued: put through to the longest-idle
  READY agent, or parked at the top of the `rescue` queue for the next agent who is free.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any

from acd.announcer import QueueAnnouncer
from acd.errors import AcdError
from acd.facade import Acd
from acd.queues import QueueConfig, QueuedCall, Treatment
from acd.records import LostCall, Reservation
from acd.tasks import Tasks, quietly
from acd.waiting import ANNOUNCEMENT_EVENT, WAITING_EVENT, int_or_none, waiting_caller
from dialer.pbx.link import AmiLink

log = logging.getLogger(__name__)

QUEUE_CONTEXT = "acd-queue"
TREATMENT_CONTEXT = "acd-treatment"
IVR_CONTEXT = "dialer-ivr"
RESCUE_QUEUE = "rescue"
RESCUE_PRIORITY = 100
RESCUE_MAX_WAIT_S = 60.0
CALLBACK_EVENT = "AcdCallbackRequest"

# (reservation, channel, attempt_id, debtor_id, answered_at): connect the call to the agent
PutThrough = Callable[
    [Reservation, str, int | None, int | None, datetime | None], Coroutine[Any, Any, None]
]


class QueueLink:
    def __init__(
        self,
        link: AmiLink,
        acd: Acd,
        announcer: QueueAnnouncer,
        tasks: Tasks,
        put_through: PutThrough,
    ) -> None:
        self.link = link
        self.acd = acd
        self.announcer = announcer
        self.rescued = 0
        self._tasks = tasks
        self._put_through = put_through
        self._waiting: dict[str, str] = {}  # call_id (uniqueid, or a rescued channel) -> channel

    def start(self) -> None:
        """Take over the ACD's queue assignments and treatments."""
        if RESCUE_QUEUE not in self.acd.queues.names():
            self.acd.add_queue(
                QueueConfig(RESCUE_QUEUE, priority=RESCUE_PRIORITY, max_wait_s=RESCUE_MAX_WAIT_S)
            )
        self.acd.on_assignment = self._assigned
        self.acd.on_treatment = self._treat

    async def close(self) -> None:
        await self.announcer.close()

    # ----- what Asterisk reports ---------------------------------------------------------
    def user_event(self, event: Mapping[str, str]) -> None:
        """A queue's UserEvent (waiting, announcement played, callback asked); others ignored."""
        kind = event.get("UserEvent")
        if kind == WAITING_EVENT:
            self._caller_waiting(event)
        elif kind == ANNOUNCEMENT_EVENT:
            self.announcer.played(event.get("Channel", ""), event.get("Status", ""))
        elif kind == CALLBACK_EVENT:
            self.acd.publish(
                {
                    "type": "callback_requested",
                    "queue": event.get("Queue", ""),
                    "caller_id": event.get("CallerIDNum", ""),
                    "attempt_id": int_or_none(event.get("AttemptId")),
                    "debtor_id": int_or_none(event.get("DebtorId")),
                }
            )

    def hung_up(self, uniqueid: str, channel: str) -> None:
        # queued by uniqueid (callers in [acd-queue]) or by channel (rescued debtors)
        for call_id in (uniqueid, channel):
            if self._waiting.pop(call_id, None) is not None:
                self.announcer.stop(call_id)
                self.acd.dequeue(call_id)

    def rescue(self, lost: LostCall) -> None:
        """The agent's phone left during this call: never drop the debtor."""
        self.rescued += 1
        log.warning(
            "agent %s lost their phone during a call: rescuing %s", lost.login, lost.channel
        )
        reservation = self.acd.reserve(call_id=lost.channel, exclude=[lost.login])
        if reservation is not None:
            self._tasks.spawn(
                self._put_through(reservation, lost.channel, lost.attempt_id, lost.debtor_id, None)
            )
            return
        self._tasks.spawn(self._wait_in_rescue_queue(lost))

    # ----- internals ---------------------------------------------------------------------
    def _caller_waiting(self, event: Mapping[str, str]) -> None:
        caller = waiting_caller(event)
        if caller.queue == RESCUE_QUEUE:
            return  # already queued by rescue()
        try:
            placed = self.acd.enqueue(
                caller.queue,
                caller.uniqueid,
                channel=caller.channel,
                inbound=True,
                caller_id=caller.caller_id,
                attempt_id=caller.attempt_id,
                debtor_id=caller.debtor_id,
                priority=caller.priority,
                skills=caller.skills,
            )
        except AcdError as exc:
            # Not ours to move (another process's queue, or a configuration error): the
            # dialplan's own wait limit (ACD_MAX_WAIT_S) still ends the wait.
            log.warning("caller %s in unknown queue %r: %s", caller.channel, caller.queue, exc)
            self.acd.publish(
                {"type": "queue_unknown", "queue": caller.queue, "channel": caller.channel}
            )
            return
        if isinstance(placed, Reservation):
            self._tasks.spawn(self._put_through(placed, caller.channel, None, None, None))
        else:
            self._waiting[caller.uniqueid] = caller.channel
            self.announcer.start(caller.uniqueid, caller.channel)

    def _assigned(self, call: QueuedCall, reservation: Reservation) -> None:
        """The ACD gave a waiting call an agent who just became free."""
        self._waiting.pop(call.call_id, None)
        self.announcer.stop(call.call_id)
        self._tasks.spawn(
            self._put_through(
                reservation, call.channel, call.attempt_id, call.debtor_id, call.entered_at
            )
        )

    def _treat(self, call: QueuedCall, config: QueueConfig) -> None:
        self._waiting.pop(call.call_id, None)
        self.announcer.stop(call.call_id)
        if config.treatment is Treatment.IVR:
            target = (IVR_CONTEXT, config.treatment_target or "default")
        else:
            target = (TREATMENT_CONTEXT, config.treatment.value)
        self._tasks.spawn(self._redirect_treatment(call.channel, target, config.treatment_target))

    async def _redirect_treatment(self, channel: str, target: tuple[str, str], sound: str) -> None:
        if sound and target[0] == TREATMENT_CONTEXT:
            await quietly(self.link.set_var(channel, "ACD_SOUND", sound))
        await quietly(self.link.redirect(channel, *target))

    async def _wait_in_rescue_queue(self, lost: LostCall) -> None:
        """No agent free: park the debtor in [acd-queue] first, then queue them at the top."""
        await quietly(self.link.redirect(lost.channel, QUEUE_CONTEXT, RESCUE_QUEUE))
        placed = self.acd.enqueue(
            RESCUE_QUEUE,
            lost.channel,
            channel=lost.channel,
            attempt_id=lost.attempt_id,
            debtor_id=lost.debtor_id,
            priority=RESCUE_PRIORITY,
        )
        if isinstance(placed, Reservation):  # someone became free meanwhile
            await self._put_through(placed, lost.channel, lost.attempt_id, lost.debtor_id, None)
        else:
            self._waiting[lost.channel] = lost.channel
            self.announcer.start(lost.channel, lost.channel)
