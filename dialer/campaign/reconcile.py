"""Restart safety: attempts a previous run left in flight are settled, never re-dialled.

An attempt is committed before its Originate, so after a crash the database may hold attempts
in any state before ENDED. We ask Asterisk for its channels (our ActionID is the channel's
Uniqueid): a call whose channel is gone is ended as LOST (or as what it had become:
connected, abandoned, machine, IVR); a call still up that no agent holds is sent to the
abandon message; a call still up with an agent is watched until it ends. The debtor is
recycled by the LOST rule (next day), so nobody is dialled twice the same day.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence

from dialer.campaign.attempts import AttemptState
from dialer.campaign.ports import CallControl
from dialer.campaign.recorder import AttemptRecorder
from dialer.db.models import CallAttempt
from dialer.db.outcomes import AttemptOutcome
from dialer.pbx.actions import OTHER_LEG_SUFFIX

log = logging.getLogger(__name__)


def _alive(attempt: CallAttempt, channels: Sequence[Mapping[str, str]]) -> Mapping[str, str] | None:
    keys = {attempt.action_id, attempt.action_id + OTHER_LEG_SUFFIX}
    for channel in channels:
        if channel.get("Uniqueid") in keys or channel.get("Linkedid") in keys:
            return channel
        if attempt.channel and channel.get("Channel") == attempt.channel:
            return channel
    return None


class Reconciler:
    def __init__(self, campaign_id: int, recorder: AttemptRecorder, pbx: CallControl) -> None:
        self.campaign_id = campaign_id
        self.recorder = recorder
        self.pbx = pbx
        self.watched: dict[int, CallAttempt] = {}

    async def settle_leftovers(self) -> int:
        """Settle every attempt a previous run left in flight; returns how many were found."""
        leftovers = await self.recorder.in_flight(self.campaign_id)
        if not leftovers:
            return 0
        channels = await self.pbx.channels()
        for attempt in leftovers:
            state = AttemptState(attempt.state)
            channel = _alive(attempt, channels)
            if channel is None:
                await self.recorder.finish(attempt.id, state, AttemptOutcome.LOST)
                continue
            name = channel.get("Channel", attempt.channel or "")
            if state is AttemptState.ANSWERED:
                await self.recorder.mark_abandoned(attempt.id, attempt.debtor_id, state)
                await self._quietly(self.pbx.redirect(name, "dialer-abandon", "s"))
            elif state in (AttemptState.DECIDED, AttemptState.ORIGINATED, AttemptState.RINGING):
                await self._quietly(self.pbx.hangup(name))
            self.watched[attempt.id] = attempt
        log.info(
            "campaign %s: settled %d attempts left in flight (%d still up, watched)",
            self.campaign_id,
            len(leftovers),
            len(self.watched),
        )
        return len(leftovers)

    async def check_watched(self) -> None:
        """End watched attempts whose channel has gone."""
        if not self.watched:
            return
        channels = await self.pbx.channels()
        for attempt_id, attempt in list(self.watched.items()):
            if _alive(attempt, channels) is None:
                stored = await self.recorder.in_flight(self.campaign_id)
                state = next((AttemptState(a.state) for a in stored if a.id == attempt_id), None)
                if state is not None:
                    await self.recorder.finish(attempt_id, state, AttemptOutcome.LOST)
                del self.watched[attempt_id]

    @staticmethod
    async def _quietly(action: Awaitable[None]) -> None:
        try:
            await action
        except Exception as exc:
            log.warning("reconcile action failed: %s", exc)
