"""The hopper on a real SQLite file: priority classes, compliance skips, claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.campaign.demo_data import OutcomeMix, add_sim_debtors
from dialer.campaign.hopper import Hopper
from dialer.campaign.recycle import DebtorStatus
from dialer.campaign.settings import CampaignSettings
from dialer.campaign.store import create_campaign
from dialer.db.models import CallAttempt, Debtor, DncEntry, Phone
from tests.unit.campaign import hopper_cases

NOON = datetime(2026, 6, 3, 12, tzinfo=UTC)  # a Wednesday


async def setup(sessions: async_sessionmaker[Any], count: int = 20) -> tuple[int, Hopper]:
    settings = CampaignSettings()
    campaign_id = await create_campaign(sessions, "t", settings, creditor="Bank")
    await add_sim_debtors(sessions, campaign_id, count, OutcomeMix(), phones_per_debtor=(2,))
    return campaign_id, Hopper(sessions, campaign_id, settings)


async def test_claims_commit_attempts_and_never_repeat(sessions: async_sessionmaker[Any]) -> None:
    _, hopper = await setup(sessions)
    first = await hopper.claim(8, NOON)
    second = await hopper.claim(100, NOON)
    assert len(first) == 8 and len(second) == 12
    debtors = [c.debtor_id for c in first + second]
    assert len(set(debtors)) == 20
    assert await hopper.claim(5, NOON) == []
    async with sessions() as s:
        attempts = (await s.execute(select(CallAttempt))).scalars().all()
        statuses = set((await s.execute(select(Debtor.status))).scalars())
    assert {a.state for a in attempts} == {"decided"}
    assert statuses == {DebtorStatus.DIALING.value}


async def test_callbacks_first_then_fresh_then_recycled(sessions: async_sessionmaker[Any]) -> None:
    _, hopper = await setup(sessions, 6)
    async with sessions() as s, s.begin():
        ids = list((await s.execute(select(Debtor.id).order_by(Debtor.id))).scalars())
        await s.execute(update(Debtor).values(priority=0))
        await s.execute(
            update(Debtor)
            .where(Debtor.id == ids[0])
            .values(status="ready", next_call_at=NOON - timedelta(hours=1))
        )
        await s.execute(
            update(Debtor)
            .where(Debtor.id == ids[1])
            .values(status="callback", next_call_at=NOON - timedelta(minutes=1))
        )
        await s.execute(
            update(Debtor)
            .where(Debtor.id == ids[2])
            .values(status="callback", next_call_at=NOON + timedelta(hours=1))
        )
    claims = await hopper.claim(6, NOON)
    order = [c.debtor_id for c in claims]
    assert order[0] == ids[1]  # the callback due
    assert order[-1] == ids[0]  # the recycled one after fresh leads
    assert ids[2] not in order  # callback not yet due


async def test_skips_dnc_night_and_locks(sessions: async_sessionmaker[Any]) -> None:
    _, hopper = await setup(sessions, 4)
    async with sessions() as s, s.begin():
        debtors = list((await s.execute(select(Debtor).order_by(Debtor.id))).scalars())
        for phone in (
            await s.execute(select(Phone).where(Phone.debtor_id == debtors[0].id))
        ).scalars():
            s.add(DncEntry(number_e164=phone.number_e164))
        debtors[1].timezone = "Pacific/Auckland"  # midnight there
        await s.execute(update(Phone).where(Phone.debtor_id == debtors[1].id).values(timezone=None))
        debtors[2].do_not_call_until = NOON + timedelta(hours=72)
    claims = await hopper.claim(4, NOON)
    assert [c.debtor_id for c in claims] == [debtors[3].id]
    async with sessions() as s:
        night = await s.get(Debtor, debtors[1].id)
        dnc = await s.get(Debtor, debtors[0].id)
    assert night is not None and night.next_call_at is not None and night.next_call_at > NOON
    assert dnc is not None and dnc.status == DebtorStatus.EXHAUSTED.value


async def test_recycled_debtors_follow_the_rules(sessions: async_sessionmaker[Any]) -> None:
    await hopper_cases.recycled_debtors_follow_the_rules(sessions)


async def test_callbacks_go_to_their_agent(sessions: async_sessionmaker[Any]) -> None:
    await hopper_cases.callbacks_go_to_their_agent(sessions)
