"""Database side of a call's life: attempt state changes, the final outcome and its recycle.

Every method is one short write transaction (SQLite's write lock taken first), so event
handlers of many calls never hold the database for long.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.campaign.attempts import AttemptState, IllegalTransition, move, outcome_of_state
from dialer.campaign.compliance import attempts_today
from dialer.campaign.hopper import begin_write
from dialer.campaign.recycle import DebtorStatus, recycle
from dialer.campaign.settings import CampaignSettings
from dialer.db.models import CallAttempt, Debtor, Phone
from dialer.db.outcomes import AttemptOutcome
from dialer.db.types import utcnow

log = logging.getLogger(__name__)
WEEK = timedelta(days=7)


class AttemptRecorder:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], settings: CampaignSettings
    ) -> None:
        self._sessions = sessions
        self.settings = settings

    async def advance(
        self,
        attempt_id: int,
        current: AttemptState,
        target: AttemptState,
        at: datetime | None = None,
        **fields: Any,
    ) -> AttemptState:
        """Move the attempt forward; returns the stored state (unchanged if not allowed)."""
        try:
            async with self._sessions() as session, session.begin():
                return await move(session, attempt_id, current, target, at, **fields)
        except IllegalTransition as exc:
            log.warning("attempt %s: %s", attempt_id, exc)
            return current

    async def mark_abandoned(
        self, attempt_id: int, debtor_id: int, current: AttemptState
    ) -> AttemptState:
        """Abandoned: the debtor gets 72 h of peace (Ofcom) whatever else happens."""
        until = utcnow() + timedelta(hours=self.settings.caps.abandon_lockout_hours)
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            await session.execute(
                update(Debtor).where(Debtor.id == debtor_id).values(do_not_call_until=until)
            )
            try:
                return await move(session, attempt_id, current, AttemptState.ABANDONED)
            except IllegalTransition as exc:
                log.warning("attempt %s: %s", attempt_id, exc)
                return current

    async def finish(
        self,
        attempt_id: int,
        current: AttemptState,
        outcome: AttemptOutcome,
        at: datetime | None = None,
        hangup_cause: int | None = None,
    ) -> AttemptOutcome:
        """End the attempt with `outcome` (refined by its state) and recycle the debtor."""
        at = at or utcnow()
        outcome = outcome_of_state(current) or outcome
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            attempt = await session.get(CallAttempt, attempt_id)
            if attempt is None or attempt.state == AttemptState.ENDED.value:
                return AttemptOutcome(attempt.outcome) if attempt and attempt.outcome else outcome
            attempt.state = AttemptState.ENDED.value
            attempt.outcome = outcome.value
            attempt.ended_at = at
            if hangup_cause is not None:
                attempt.hangup_cause = hangup_cause
            await self._recycle(session, attempt, outcome, at)
        log.info("attempt %s (%s): %s", attempt_id, attempt.number_e164, outcome)
        return outcome

    async def _recycle(
        self, session: AsyncSession, attempt: CallAttempt, outcome: AttemptOutcome, at: datetime
    ) -> None:
        debtor = await session.get(Debtor, attempt.debtor_id)
        if debtor is None:
            return
        phones = list(
            (await session.execute(select(Phone).where(Phone.debtor_id == debtor.id))).scalars()
        )
        recent = (
            await session.execute(
                select(CallAttempt.phone_id, CallAttempt.created_at).where(
                    CallAttempt.debtor_id == debtor.id, CallAttempt.created_at > at - WEEK
                )
            )
        ).all()
        total_on_phone = await session.scalar(
            select(func.count(CallAttempt.id)).where(CallAttempt.phone_id == attempt.phone_id)
        )
        untried = any(
            not p.bad
            and p.id != attempt.phone_id
            and attempts_today(
                [t for pid, t in recent if pid == p.id], at, p.timezone or debtor.timezone
            )
            == 0
            for p in phones
        )
        decision = recycle(
            outcome, at, debtor.timezone, self.settings, untried, int(total_on_phone or 0)
        )
        phone = next((p for p in phones if p.id == attempt.phone_id), None)
        if phone is not None:
            phone.bad = phone.bad or decision.phone_bad
            if outcome is AttemptOutcome.CONNECTED:
                phone.right_party_contacts += 1
        if outcome in (AttemptOutcome.CONNECTED, AttemptOutcome.IVR):
            debtor.last_contact_at = at
        # A disposition given during the call already chose the debtor's status: keep it.
        if debtor.status == DebtorStatus.DIALING.value:
            debtor.status = decision.status.value
            debtor.next_call_at = decision.next_call_at

    async def in_flight(self, campaign_id: int) -> list[CallAttempt]:
        async with self._sessions() as session:
            result = await session.execute(
                select(CallAttempt).where(
                    CallAttempt.campaign_id == campaign_id,
                    CallAttempt.state != AttemptState.ENDED.value,
                )
            )
            return list(result.scalars())
