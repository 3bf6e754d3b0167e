"""Is anything left to dial in a campaign, now or later?

A campaign is finished when no debtor could ever be dialled again under its rules: every
debtor is done (paid, stopped by a rule), disputed (waiting for a supervisor) or without a
usable number (all bad or on the DNC list). Debtors waiting for a retry, a callback or the
date of their promise are still open: their campaign is only idle until then.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.campaign.recycle import HOPPER_CLASSES, DebtorStatus
from dialer.db.models import Debtor, DncEntry, Phone

OPEN_STATUSES = tuple(s.value for s in (*HOPPER_CLASSES, DebtorStatus.DIALING))


async def anything_left(sessions: async_sessionmaker[AsyncSession], campaign_id: int) -> bool:
    """True while at least one debtor of the campaign may still be dialled."""
    usable_phone = exists().where(
        Phone.debtor_id == Debtor.id,
        Phone.bad.is_(False),
        Phone.number_e164.not_in(select(DncEntry.number_e164)),
    )
    query = select(
        exists().where(
            Debtor.campaign_id == campaign_id,
            Debtor.status.in_(OPEN_STATUSES),
            usable_phone,
        )
    )
    async with sessions() as session:
        return bool(await session.scalar(query))
