"""`Acd`: the one entry point of the ACD — the agent floor plus blended call queues.

Campaign calls and debtors calling in share the queues. An agent who becomes READY
takes the best waiting call they qualify for (handed to `on_assignment` with the agent
reserved); a caller who waits past the queue's limit goes to `on_treatment`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from acd.figures import estimated_wait
from acd.floor import AgentFloor, SkillSpec, Subscriber
from acd.queues import CallQueues, QueueConfig, QueuedCall
from acd.records import AcdSettings, AgentRecord, QueueStatus, Reservation
from acd.routing import Requirement
from acd.store import DEFAULT_PAUSE_REASONS, PauseReasonInfo, StateStore
from dialer.db.types import utcnow


class Acd(AgentFloor):
    def __init__(
        self,
        *,
        settings: AcdSettings | None = None,
        store: StateStore | None = None,
        clock: Callable[[], datetime] = utcnow,
        pause_reasons: Iterable[PauseReasonInfo] = DEFAULT_PAUSE_REASONS,
    ) -> None:
        super().__init__(settings=settings, store=store, clock=clock, pause_reasons=pause_reasons)
        self.queues = CallQueues()
        self.on_assignment: Callable[[QueuedCall, Reservation], None] | None = None
        self.on_treatment: Callable[[QueuedCall, QueueConfig], None] | None = None

    def add_queue(self, config: QueueConfig) -> None:
        self.queues.add_queue(config)

    # ----- queues (blended: campaign calls and debtors calling in) ------------------
    def enqueue(
        self,
        queue: str,
        call_id: str,
        *,
        channel: str = "",
        attempt_id: int | None = None,
        debtor_id: int | None = None,
        inbound: bool = False,
        caller_id: str = "",
        priority: int = 0,
        skills: Requirement | Mapping[str, Any] | None = None,
    ) -> Reservation | QueueStatus:
        """Route a call through `queue`: an agent now (Reservation) or a place in line.

        `skills` are what this call needs on top of the queue's requirement. A queued call
        is later handed to `on_assignment` with the agent reserved for it, or to
        `on_treatment` after the queue's `max_wait_s`.
        """
        config = self.queues.config(queue)
        call = QueuedCall(
            call_id,
            queue,
            self._clock(),
            priority=priority,
            channel=channel,
            attempt_id=attempt_id,
            debtor_id=debtor_id,
            inbound=inbound,
            caller_id=caller_id,
            requirement=Requirement.of(skills),
        )
        login = self._ready.pick(config.requirement.combined(call.requirement))
        # A free agent takes the call now unless a call already waiting comes first for them.
        if login is not None and self.queues.next_for(self._agents[login].profile.skills) is None:
            return self._reserve(self._agents[login], call_id)
        self.queues.enqueue(call)
        self._arm(call.entered_at + timedelta(seconds=config.max_wait_s))
        status = self.queue_status(call_id)
        assert status is not None
        self._emit(
            {
                "type": "queue_entered",
                "call_id": call_id,
                "queue": queue,
                "position": status.position,
                "estimated_wait_s": status.estimated_wait_s,
                "priority": priority,
                "skills": sorted(call.requirement.tags),
            }
        )
        return status

    def dequeue(self, call_id: str) -> bool:
        """The waiting caller hung up: forget the call. False if it was not waiting."""
        call = self.queues.remove(call_id)
        if call is not None:
            self._emit({"type": "queue_left", "call_id": call_id, "queue": call.queue})
        return call is not None

    def queue_status(self, call_id: str) -> QueueStatus | None:
        """Position (1 = next) and estimated wait of a waiting call, or None."""
        call = self.queues.get(call_id)
        position = self.queues.position(call_id)
        if call is None or position is None:
            return None
        requirement = self.queues.config(call.queue).requirement.combined(call.requirement)
        wait = estimated_wait(position, self._agents.values(), requirement, self.stats)
        return QueueStatus(call_id, call.queue, position, round(wait, 1))

    # ----- hooks of the agent floor ---------------------------------------------------
    def _became_ready(self, agent: AgentRecord) -> None:
        """A free agent takes the best waiting call they qualify for, else joins the idle line."""
        call = self.queues.next_for(agent.profile.skills)
        if call is None or self.on_assignment is None:
            super()._became_ready(agent)
            return
        self.queues.remove(call.call_id)
        reservation = self._reserve(agent, call.call_id)
        self._emit(
            {"type": "queue_assigned", "call_id": call.call_id, "login": agent.profile.login}
        )
        self.on_assignment(call, reservation)

    def _due(self, now: datetime) -> None:
        for call in self.queues.overdue(now):
            self.queues.remove(call.call_id)
            config = self.queues.config(call.queue)
            self._emit(
                {
                    "type": "queue_treatment",
                    "call_id": call.call_id,
                    "queue": call.queue,
                    "treatment": config.treatment.value,
                }
            )
            if self.on_treatment is not None:
                self.on_treatment(call, config)

    def _extra_deadlines(self) -> Iterable[datetime]:
        for name in self.queues.names():
            config = self.queues.config(name)
            for call in self.queues.waiting(name):
                yield call.entered_at + timedelta(seconds=config.max_wait_s)


__all__ = ["Acd", "SkillSpec", "Subscriber"]
