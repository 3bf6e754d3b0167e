"""Calls in flight: originate a claimed number, then react to its PBX events.

A person who answers (AMD HUMAN, or any answer without AMD) gets an agent within
`connect_timeout_s` of the answer, or the abandon message; a machine gets the machine
treatment; agentless campaigns send people to the IVR. Every change is stored on the attempt
and fed to the pacing statistics. Events of one call are handled in order (one lock per call)
without ever blocking the AMI reader (one task per event).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from acd import Acd, Reservation
from dialer.campaign.attempts import AttemptState
from dialer.campaign.hopper import Claim
from dialer.campaign.ports import AgentConnector, CallControl, Publish, no_publish
from dialer.campaign.recorder import AttemptRecorder
from dialer.campaign.settings import CampaignSettings, DialMode, MachineAction
from dialer.db.outcomes import AttemptOutcome
from dialer.pacing.stats import PacingStats
from dialer.pbx.actions import OriginateRequest
from dialer.pbx.events import (
    AmdResult,
    AmdStatus,
    CallAnswered,
    CallBridged,
    CallFailed,
    CallHungUp,
    CallLost,
    CallRinging,
    FailReason,
    PbxEvent,
)

log = logging.getLogger(__name__)

FAIL_OUTCOMES = {
    FailReason.BUSY: AttemptOutcome.BUSY,
    FailReason.NO_ANSWER: AttemptOutcome.NO_ANSWER,
    FailReason.CONGESTION: AttemptOutcome.CONGESTION,
    FailReason.FAILED: AttemptOutcome.FAILED,
}
OUTBOUND_CONTEXT = "dialer-outbound"


@dataclass
class LiveCall:
    claim: Claim
    state: AttemptState
    dialled_at: float
    answered_at: float | None = None
    answered_dt: datetime | None = None  # wall clock of the answer, for answer->agent timing
    channel: str = ""
    agent: str | None = None
    connected_at: float | None = None
    human_recorded: bool = False
    reservation: Reservation | None = None  # preview: the agent who chose to dial
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class CallFlow:
    def __init__(
        self,
        campaign_id: int,
        settings: CampaignSettings,
        recorder: AttemptRecorder,
        pbx: CallControl,
        acd: Acd,
        connector: AgentConnector | None,
        stats: PacingStats,
        publish: Publish = no_publish,
        variables: dict[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.campaign_id = campaign_id
        self.settings = settings
        self.recorder = recorder
        self.pbx = pbx
        self.acd = acd
        self.connector = connector
        self.stats = stats
        self.publish = publish
        self.variables = variables or {}
        self.clock = clock
        self.calls: dict[str, LiveCall] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def busy(self) -> bool:
        """Calls in flight, or events of ended calls still being stored."""
        return bool(self.calls) or any(not t.done() for t in self._tasks)

    # ----- figures for pacing ---------------------------------------------------------
    def ringing(self) -> list[LiveCall]:
        return [c for c in self.calls.values() if c.answered_at is None]

    def waiting_for_agent(self) -> int:
        return sum(1 for c in self.calls.values() if c.state is AttemptState.ANSWERED)

    def in_ivr(self) -> int:
        return sum(1 for c in self.calls.values() if c.state is AttemptState.IVR)

    # ----- dialling -------------------------------------------------------------------
    def originate_request(self, claim: Claim) -> OriginateRequest:
        s = self.settings
        variables = {
            "ABANDON_SOUND": s.abandon_message,
            **s.variables,
            **self.variables,
            "ATTEMPT_ID": str(claim.attempt_id),
            "DEBTOR_ID": str(claim.debtor_id),
            "CAMPAIGN_ID": str(self.campaign_id),
            "DIALER_AMD": "1" if s.amd and s.dial_mode is not DialMode.PREVIEW else "0",
            "MACHINE_ACTION": "message"
            if s.machine_action is MachineAction.LEAVE_MESSAGE
            else "hangup",
            "DIALER_WAIT": str(int(s.connect_timeout_s + 30)),
            "MACHINE_SOUND": s.machine_message,
        }
        return OriginateRequest(
            action_id=claim.action_id,
            channel=s.dial_channel(claim.number_e164),
            context=OUTBOUND_CONTEXT,
            exten="s",
            caller_id=s.caller_id,
            timeout_s=s.ring_timeout_s,
            variables=variables,
        )

    async def dial(self, claim: Claim, reservation: Reservation | None = None) -> None:
        """Originate a claimed attempt (already committed as DECIDED); with `reservation`
        (preview mode) the person who answers goes to that agent."""
        call = LiveCall(claim, AttemptState.DECIDED, self.clock(), reservation=reservation)
        self.calls[claim.action_id] = call
        self.stats.record_dial(call.dialled_at)
        async with call.lock:
            try:
                await self.pbx.originate(self.originate_request(claim))
            except Exception as exc:
                log.warning("originate %s failed: %s", claim.action_id, exc)
                await self._end(call, AttemptOutcome.FAILED)
                return
            call.state = await self.recorder.advance(
                claim.attempt_id, call.state, AttemptState.ORIGINATED
            )
        self._publish_attempt(call)

    # ----- events ---------------------------------------------------------------------
    def on_event(self, event: PbxEvent) -> None:
        """AmiLink subscriber: hand each call event to its own task, in order per call."""
        call = self.calls.get(event.action_id)
        if call is None:
            return
        task = asyncio.get_running_loop().create_task(self._handle(call, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, call: LiveCall, event: PbxEvent) -> None:
        async with call.lock:
            if call.claim.action_id not in self.calls:
                return  # already ended
            try:
                await self._dispatch(call, event)
            except Exception:
                log.exception("attempt %s: handling %s failed", call.claim.attempt_id, event)

    async def _dispatch(self, call: LiveCall, event: PbxEvent) -> None:
        if isinstance(event, CallRinging):
            call.channel = event.channel
            await self._advance(call, AttemptState.RINGING, channel=event.channel)
        elif isinstance(event, CallAnswered):
            call.channel = event.channel or call.channel
            call.answered_at, call.answered_dt = self.clock(), event.at
            await self._advance(
                call,
                AttemptState.ANSWERED,
                at=event.at,
                channel=call.channel,
                uniqueid=event.uniqueid,
            )
            if not self._amd_on():
                await self._person(call)
        elif isinstance(event, AmdResult):
            await self._amd(call, event)
        elif isinstance(event, CallBridged):
            if call.state is AttemptState.CONNECTED:
                await self.recorder.advance(
                    call.claim.attempt_id, call.state, call.state, bridged_at=event.at
                )
        elif isinstance(event, CallFailed):
            self.stats.record_outcome(self.clock(), self._ring_s(call), False, False)
            await self._end(call, FAIL_OUTCOMES[event.reason])
        elif isinstance(event, CallHungUp):
            await self._hung_up(call, event.cause)
        elif isinstance(event, CallLost):
            await self._end(call, AttemptOutcome.LOST)

    def _amd_on(self) -> bool:
        return self.settings.amd and self.settings.dial_mode is not DialMode.PREVIEW

    async def _amd(self, call: LiveCall, event: AmdResult) -> None:
        await self.recorder.advance(
            call.claim.attempt_id, call.state, call.state, amd_status=event.status.value
        )
        if call.state is not AttemptState.ANSWERED:
            return
        if event.status is AmdStatus.MACHINE:
            self.stats.record_outcome(self.clock(), self._ring_s(call), False, True)
            self.stats.record_machine_verdict(self.clock(), self.settings.amd_false_positive_rate)
            await self._advance(call, AttemptState.MACHINE)
            await self._redirect(call, "dialer-machine", "s")
        elif event.status in (AmdStatus.HUMAN, AmdStatus.NOTSURE):
            await self._person(call)
        # HANGUP: the callee is gone; CallHungUp ends the attempt.

    async def _person(self, call: LiveCall) -> None:
        if not call.human_recorded:
            call.human_recorded = True
            self.stats.record_outcome(self.clock(), self._ring_s(call), True, False)
        if self.settings.dial_mode is DialMode.AGENTLESS:
            await self._advance(call, AttemptState.IVR)
            await self._redirect(call, "dialer-ivr", self.settings.ivr_script or "press_one")
            return
        reservation, call.reservation = call.reservation, None
        if reservation is None:
            reservation = await self._reserve_within_deadline(call)
        if reservation is None or not await self._connect(call, reservation):
            await self._abandon(call)

    async def _reserve_within_deadline(self, call: LiveCall) -> Reservation | None:
        deadline = (call.answered_at or self.clock()) + self.settings.connect_timeout_s
        while True:
            reservation = self._reserve(call)
            if reservation is not None or self.clock() >= deadline - 0.3:
                return reservation
            await asyncio.sleep(0.1)

    def _reserve(self, call: LiveCall) -> Reservation | None:
        skills = self.settings.skills or None
        owner = call.claim.agent_login
        if owner is not None:
            # A callback the agent promised: to them if they are free, else to anyone.
            others = [row["login"] for row in self.acd.agent_states() if row["login"] != owner]
            reservation = self.acd.reserve(skills, call_id=call.claim.action_id, exclude=others)
            if reservation is not None:
                return reservation
        return self.acd.reserve(skills, call_id=call.claim.action_id)

    async def _connect(self, call: LiveCall, reservation: Reservation) -> bool:
        if self.connector is None:
            self._release(reservation)
            return False
        # The agent's screen gets the case while the debtor is being moved to them.
        self.acd.connect(
            reservation,
            attempt_id=call.claim.attempt_id,
            debtor_id=call.claim.debtor_id,
            channel=call.channel,
        )
        try:
            await asyncio.wait_for(
                self.connector.connect(
                    call.channel, reservation.login, answered_at=call.answered_dt
                ),
                timeout=self.settings.connect_timeout_s + 6.0,
            )
        except Exception as exc:
            log.warning(
                "attempt %s: connect to %s failed: %s",
                call.claim.attempt_id,
                reservation.login,
                exc,
            )
            self._agent_call_ended(reservation.login)
            return False
        call.agent, call.connected_at = reservation.login, self.clock()
        self.stats.record_connected(call.connected_at)
        agent_id = self._agent_id(reservation.login)
        await self._advance(call, AttemptState.CONNECTED, agent_id=agent_id)
        self.publish(
            {
                "type": "call",
                "login": reservation.login,
                "debtor_id": call.claim.debtor_id,
                "attempt_id": call.claim.attempt_id,
                "campaign_id": self.campaign_id,
            }
        )
        return True

    def _agent_call_ended(self, login: str) -> None:
        try:
            self.acd.call_ended(login)
        except Exception as exc:
            log.warning("call_ended for %s: %s", login, exc)

    def _release(self, reservation: Reservation) -> None:
        try:
            self.acd.release(reservation)
        except Exception as exc:  # the agent may have gone meanwhile
            log.warning("release of %s failed: %s", reservation.login, exc)

    def _agent_id(self, login: str) -> int | None:
        try:
            return self.acd.profile(login).agent_id
        except Exception:
            return None

    async def _abandon(self, call: LiveCall) -> None:
        self.stats.record_abandon(self.clock())
        call.state = await self.recorder.mark_abandoned(
            call.claim.attempt_id, call.claim.debtor_id, call.state
        )
        await self._redirect(call, "dialer-abandon", "s")
        self._publish_attempt(call)

    async def _hung_up(self, call: LiveCall, cause: int) -> None:
        if call.agent is not None:
            talk = self.clock() - (call.connected_at or self.clock())
            self.stats.record_talk(talk, self.acd.settings.wrapup_s)
            self._agent_call_ended(call.agent)
            self.publish(
                {
                    "type": "call_ended",
                    "login": call.agent,
                    "attempt_id": call.claim.attempt_id,
                    "debtor_id": call.claim.debtor_id,
                    "campaign_id": self.campaign_id,
                }
            )
        outcome = AttemptOutcome.HUMAN if call.answered_at is not None else AttemptOutcome.FAILED
        await self._end(call, outcome, cause)

    async def _end(self, call: LiveCall, outcome: AttemptOutcome, cause: int | None = None) -> None:
        self.calls.pop(call.claim.action_id, None)
        if call.reservation is not None:  # preview call that never reached the agent
            self._release(call.reservation)
            call.reservation = None
        final = await self.recorder.finish(
            call.claim.attempt_id, call.state, outcome, hangup_cause=cause
        )
        call.state = AttemptState.ENDED
        self._publish_attempt(call, final)

    async def _advance(self, call: LiveCall, target: AttemptState, **fields: Any) -> None:
        at = fields.pop("at", None)
        call.state = await self.recorder.advance(
            call.claim.attempt_id, call.state, target, at, **fields
        )
        self._publish_attempt(call)

    async def _redirect(self, call: LiveCall, context: str, exten: str) -> None:
        try:
            await self.pbx.redirect(call.channel, context, exten)
        except Exception as exc:
            log.warning(
                "attempt %s: redirect to %s failed: %s", call.claim.attempt_id, context, exc
            )

    def _ring_s(self, call: LiveCall) -> float:
        return (call.answered_at or self.clock()) - call.dialled_at

    def _publish_attempt(self, call: LiveCall, outcome: AttemptOutcome | None = None) -> None:
        self.publish(
            {
                "type": "attempt",
                "campaign_id": self.campaign_id,
                "attempt_id": call.claim.attempt_id,
                "debtor_id": call.claim.debtor_id,
                "state": call.state.value,
                "outcome": outcome.value if outcome else None,
                "agent": call.agent,
            }
        )

    async def drain(self, timeout: float) -> None:
        """Wait for pending event tasks (used on stop)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
