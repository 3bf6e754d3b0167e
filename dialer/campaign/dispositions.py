"""An agent's result form: store it (ScriptResult) and drive the debtor's next step.

promise to pay -> no dialling until the day after the promised date
callback       -> the debtor is due at that time (to this agent or to the pool)
wrong party    -> the number is bad; the debtor's other numbers are tried soon
dispute        -> not dialled until a supervisor releases the account
paid already   -> done
refusal        -> the usual recycle (next day, within the conversation lock)
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.campaign.compliance import zone
from dialer.campaign.hopper import begin_write
from dialer.campaign.recycle import DebtorStatus
from dialer.campaign.settings import CampaignSettings
from dialer.db.models import Agent, CallAttempt, Debtor, Phone, ScriptResult
from dialer.db.outcomes import ResultKind
from dialer.db.types import utcnow
from dialer.web.ports import ControlError, Disposition

log = logging.getLogger(__name__)


def _check(d: Disposition, now: datetime) -> None:
    if d.kind is ResultKind.PROMISE_TO_PAY:
        if d.amount is None or d.amount <= 0:
            raise ControlError("a promise to pay needs a positive amount")
        if d.promised_date is None:
            raise ControlError("a promise to pay needs the promised date")
    if d.kind is ResultKind.CALLBACK:
        if d.callback_at is None:
            raise ControlError("a callback needs its date and time")
        if d.callback_at.tzinfo is None:
            raise ControlError("the callback time must carry its time zone")
        if d.callback_at < now - timedelta(minutes=5):
            raise ControlError("the callback time is in the past")


async def record_disposition(
    sessions: async_sessionmaker[AsyncSession],
    disposition: Disposition,
    agent_id: int | None,
    settings: CampaignSettings | None = None,
) -> int:
    """Store the result and update the debtor; returns the ScriptResult id."""
    now = utcnow()
    _check(disposition, now)
    async with sessions() as session, session.begin():
        await begin_write(session)
        debtor = await session.get(Debtor, disposition.debtor_id)
        if debtor is None:
            raise ControlError(f"no debtor {disposition.debtor_id}")
        attempt = (
            await session.get(CallAttempt, disposition.attempt_id)
            if disposition.attempt_id is not None
            else None
        )
        result = ScriptResult(
            attempt_id=disposition.attempt_id,
            debtor_id=debtor.id,
            campaign_id=debtor.campaign_id,
            agent_id=agent_id,
            source="agent",
            kind=disposition.kind.value,
            amount=disposition.amount,
            currency=disposition.currency or debtor.currency,
            promised_date=disposition.promised_date,
            callback_at=disposition.callback_at,
            callback_agent_id=agent_id if disposition.callback_to_me else None,
            note=disposition.note,
            data={},
        )
        session.add(result)
        await _next_step(session, debtor, attempt, disposition, now)
        await session.flush()
        log.info("debtor %s: %s recorded by agent %s", debtor.id, disposition.kind.value, agent_id)
        return result.id


async def _next_step(
    session: AsyncSession,
    debtor: Debtor,
    attempt: CallAttempt | None,
    d: Disposition,
    now: datetime,
) -> None:
    kind = d.kind
    if kind is ResultKind.PROMISE_TO_PAY and d.promised_date is not None:
        debtor.status = DebtorStatus.PROMISED.value
        day_after = d.promised_date + timedelta(days=1)
        debtor.next_call_at = datetime.combine(
            day_after, datetime.min.time(), tzinfo=zone(debtor.timezone)
        ).astimezone(UTC)
    elif kind is ResultKind.CALLBACK and d.callback_at is not None:
        debtor.status = DebtorStatus.CALLBACK.value
        debtor.next_call_at = d.callback_at.astimezone(UTC)
    elif kind is ResultKind.WRONG_PARTY:
        if attempt is not None:
            phone = await session.get(Phone, attempt.phone_id)
            if phone is not None:
                phone.bad, phone.right_party_contacts = True, 0
        # The conversation was not with the debtor: no conversation lock for them.
        debtor.last_contact_at = None
        debtor.status = DebtorStatus.READY.value
        debtor.next_call_at = now + timedelta(minutes=1)
    elif kind is ResultKind.DISPUTE:
        debtor.status = DebtorStatus.DISPUTED.value
        debtor.next_call_at = None
    elif kind is ResultKind.PAID_ALREADY:
        debtor.status = DebtorStatus.DONE.value
        debtor.next_call_at = None
    elif debtor.status == DebtorStatus.DIALING.value:
        return  # refusal, survey: the hang-up's recycle rule decides
    debtor.last_contact_at = debtor.last_contact_at if kind is ResultKind.WRONG_PARTY else now


async def agent_id_for(sessions: async_sessionmaker[AsyncSession], login: str) -> int | None:
    async with sessions() as session:
        return await session.scalar(select(Agent.id).where(Agent.login == login))
