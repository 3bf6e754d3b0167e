"""Hopper scenarios run on SQLite (unit) and PostgreSQL (integration): the facts the hopper
loads in one statement must reach the compliance rules, and its one write must claim,
defer and exhaust exactly as they decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.campaign.hopper import Hopper
from dialer.campaign.recycle import DebtorStatus
from dialer.campaign.settings import CampaignSettings
from dialer.campaign.store import create_campaign
from dialer.db.models import Agent, CallAttempt, Debtor, DncEntry, Phone, ScriptResult

NOON = datetime(2026, 6, 3, 12, tzinfo=UTC)  # a Wednesday


@dataclass(frozen=True)
class Case:
    campaign_id: int
    debtors: dict[str, int]  # scenario name -> debtor id
    phones: dict[str, list[int]]  # scenario name -> phone ids in position order


async def build(sessions: async_sessionmaker[Any], names: list[str], status: str) -> Case:
    """One debtor per name, two numbers each, all of class `status` and due."""
    campaign_id = await create_campaign(sessions, "cases", CampaignSettings())
    debtors: dict[str, int] = {}
    phones: dict[str, list[int]] = {}
    async with sessions() as s, s.begin():
        for i, name in enumerate(names):
            debtor_id = await s.scalar(
                insert(Debtor)
                .values(
                    campaign_id=campaign_id,
                    account_id=name,
                    balance=100,
                    currency="PLN",
                    timezone="Europe/Warsaw",
                    priority=len(names) - i,  # scanned in the order given
                    status=status,
                    next_call_at=NOON - timedelta(hours=1),
                )
                .returning(Debtor.id)
            )
            assert debtor_id is not None
            debtors[name] = debtor_id
            phones[name] = []
            for position in (1, 2):
                phone_id = await s.scalar(
                    insert(Phone)
                    .values(
                        debtor_id=debtor_id,
                        position=position,
                        number_e164=f"+4850{i:04d}{position:03d}",
                    )
                    .returning(Phone.id)
                )
                assert phone_id is not None
                phones[name].append(phone_id)
    return Case(campaign_id, debtors, phones)


async def add_attempts(
    sessions: async_sessionmaker[Any], case: Case, name: str, position: int, ages: list[timedelta]
) -> None:
    phone_id = case.phones[name][position - 1]
    async with sessions() as s, s.begin():
        for n, age in enumerate(ages):
            s.add(
                CallAttempt(
                    campaign_id=case.campaign_id,
                    debtor_id=case.debtors[name],
                    phone_id=phone_id,
                    number_e164=f"+00{phone_id}",
                    action_id=f"old-{phone_id}-{n}",
                    state="ended",
                    outcome="no_answer",
                    created_at=NOON - age,
                )
            )


async def recycled_debtors_follow_the_rules(sessions: async_sessionmaker[Any]) -> None:
    """Recycled debtors: each blocked for a different reason, one free."""
    names = ["weekly_cap", "retry_first", "promise", "dnc_both", "free"]
    case = await build(sessions, names, DebtorStatus.READY.value)
    days = [*(timedelta(days=d, hours=1) for d in range(1, 7)), timedelta(hours=3)]
    await add_attempts(sessions, case, "weekly_cap", 1, days)  # 7 in the last 7 days
    await add_attempts(sessions, case, "retry_first", 1, [timedelta(minutes=2)])
    async with sessions() as s, s.begin():
        s.add(
            ScriptResult(
                debtor_id=case.debtors["promise"],
                campaign_id=case.campaign_id,
                source="agent",
                kind="promise_to_pay",
                promised_date=date(2026, 6, 5),
            )
        )
        for phone in (
            await s.execute(select(Phone).where(Phone.debtor_id == case.debtors["dnc_both"]))
        ).scalars():
            s.add(DncEntry(number_e164=phone.number_e164))

    claims = await Hopper(sessions, case.campaign_id, CampaignSettings()).claim(10, NOON)

    by_debtor = {c.debtor_id: c for c in claims}
    assert set(by_debtor) == {case.debtors["retry_first"], case.debtors["free"]}
    # The number dialled two minutes ago was tried today and waits its retry interval:
    # the second one is dialled.
    assert by_debtor[case.debtors["retry_first"]].phone_id == case.phones["retry_first"][1]
    async with sessions() as s:
        rows = {d.id: d for d in (await s.execute(select(Debtor))).scalars()}
        stored = await s.scalar(
            select(CallAttempt.id).where(CallAttempt.id == claims[0].attempt_id)
        )
    assert stored == claims[0].attempt_id
    capped = rows[case.debtors["weekly_cap"]]
    # The oldest of the seven attempts turns 7 days old first.
    assert capped.status == "ready" and capped.next_call_at == NOON + timedelta(hours=23)
    promised = rows[case.debtors["promise"]]
    assert promised.status == "ready"
    assert promised.next_call_at == datetime(2026, 6, 5, 22, tzinfo=UTC)  # 6 June in Warsaw
    assert rows[case.debtors["dnc_both"]].status == DebtorStatus.EXHAUSTED.value
    for name in ("retry_first", "free"):
        assert rows[case.debtors[name]].status == DebtorStatus.DIALING.value


async def callbacks_go_to_their_agent(sessions: async_sessionmaker[Any]) -> None:
    """A callback due is claimed with the login of the agent named in its latest callback
    that names one; a callback for anyone has none; a debtor claimed meanwhile is left out."""
    case = await build(sessions, ["mine", "anyone", "taken"], DebtorStatus.CALLBACK.value)
    async with sessions() as s, s.begin():
        agent = Agent(login="1001", name="Ala", endpoint="PJSIP/agent1001")
        s.add(agent)
        await s.flush()
        for name, agent_id in (("mine", agent.id), ("mine", None), ("anyone", None)):
            s.add(
                ScriptResult(
                    debtor_id=case.debtors[name],
                    campaign_id=case.campaign_id,
                    source="agent",
                    kind="callback",
                    callback_agent_id=agent_id,
                )
            )
        await s.execute(
            update(Debtor).where(Debtor.id == case.debtors["taken"]).values(status="dialing")
        )

    claims = await Hopper(sessions, case.campaign_id, CampaignSettings()).claim(5, NOON)

    assert [(c.debtor_id, c.agent_login) for c in claims] == [
        (case.debtors["mine"], "1001"),
        (case.debtors["anyone"], None),
    ]
