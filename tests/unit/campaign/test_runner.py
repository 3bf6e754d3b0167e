"""The runner's decisions against a scripted PBX, a real ACD and a real SQLite file."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd import Acd, AcdSettings, AgentProfile
from dialer.campaign.demo_data import OutcomeMix, add_sim_debtors
from dialer.campaign.runner import CampaignRunner
from dialer.campaign.settings import CallingWindow, CampaignSettings, DialMode
from dialer.campaign.store import CampaignStatus, create_campaign, get_status, set_status
from dialer.db.models import CallAttempt, Debtor
from tests.unit.campaign.fakepbx import FakeConnector, FakePbx

ALWAYS = CallingWindow(start=time(0, 0), end=time(23, 59, 59), weekdays=list(range(7)))
PEOPLE_ONLY = OutcomeMix(
    human=1, machine=0, busy=0, no_answer=0, congestion=0, invalid=0, talk_min_s=1, talk_max_s=1
)
MACHINES_ONLY = OutcomeMix(human=0, machine=1, busy=0, no_answer=0, congestion=0, invalid=0)


def acd_with(logins: list[str]) -> Acd:
    acd = Acd(settings=AcdSettings(wrapup_s=0.1))
    for login in logins:
        acd.add_agent(AgentProfile(login))
        acd.login(login)
        acd.ready(login)
    return acd


async def run_campaign(
    sessions: async_sessionmaker[Any], settings: CampaignSettings, agents: list[str], debtors: int
) -> tuple[FakePbx, FakeConnector, int]:
    campaign_id = await create_campaign(sessions, "unit", settings, creditor="Bank")
    await add_sim_debtors(
        sessions,
        campaign_id,
        debtors,
        OutcomeMix(talk_min_s=1, talk_max_s=3),
        phones_per_debtor=(1,),
    )
    await set_status(sessions, campaign_id, CampaignStatus.RUNNING)
    pbx = FakePbx()
    connector = FakeConnector(pbx)
    acd = acd_with(agents)
    events: list[dict[str, Any]] = []
    runner = CampaignRunner(sessions, campaign_id, settings, pbx, acd, connector, events.append)
    loop_deadline = runner.clock() + 60
    try:
        await runner.run(until=loop_deadline, stop_when_done=True)
    finally:
        await pbx.close()
        await acd.aclose()
    assert any(e["type"] == "pacing" for e in events)
    return pbx, connector, campaign_id


def _progressive_once_a_day(**more: Any) -> CampaignSettings:
    """Progressive dialling at any hour, ticking fast, each number dialled once a day."""
    return CampaignSettings(
        dial_mode=DialMode.PROGRESSIVE,
        calling_window=ALWAYS,
        tick_s=0.05,
        caps={"per_number_per_day": 1},
        **more,
    )


async def test_progressive_campaign_runs_to_completion(sessions: async_sessionmaker[Any]) -> None:
    settings = _progressive_once_a_day()
    pbx, connector, _ = await run_campaign(sessions, settings, ["1", "2", "3"], 30)
    async with sessions() as s:
        attempts = list((await s.execute(select(CallAttempt))).scalars())
        debtors = list((await s.execute(select(Debtor))).scalars())
    assert len(attempts) == 30  # one number each, one attempt per number per day
    assert {a.state for a in attempts} == {"ended"}
    assert len({a.phone_id for a in attempts}) == 30
    outcomes = Counter(a.outcome for a in attempts)
    humans = [a for a in attempts if a.outcome in ("connected", "abandoned")]
    # Progressive never dials more lines than free agents: nobody is abandoned.
    assert outcomes["abandoned"] == 0
    assert len(connector.connected) == outcomes["connected"] == len(humans)
    for attempt in attempts:
        assert attempt.originated_at is not None and attempt.ended_at is not None
        if attempt.outcome == "connected":
            assert attempt.answered_at is not None and attempt.bridged_at is not None
    machine_redirects = [r for r in pbx.redirects if r[1] == "dialer-machine"]
    assert len(machine_redirects) == outcomes["machine"]
    assert all(d.status != "dialing" for d in debtors)
    for req in pbx.originated:
        assert {"ATTEMPT_ID", "DEBTOR_ID", "CAMPAIGN_ID", "DIALER_AMD"} <= set(req.variables)
        assert req.channel.endswith("@sim-pstn") and req.timeout_s == 25


async def test_agentless_sends_people_to_the_ivr(sessions: async_sessionmaker[Any]) -> None:
    settings = CampaignSettings(
        dial_mode=DialMode.AGENTLESS,
        calling_window=ALWAYS,
        tick_s=0.05,
        pacing={"agentless_lines": 2},
        caps={"per_number_per_day": 1},
        connect_timeout_s=0.5,
    )
    # Agentless needs no agent: people go to the IVR.
    pbx, _, _ = await run_campaign(sessions, settings, ["1"], 10)
    async with sessions() as s:
        attempts = list((await s.execute(select(CallAttempt))).scalars())
    ivr = [a for a in attempts if a.outcome == "ivr"]
    assert len(ivr) == len([r for r in pbx.redirects if r[1] == "dialer-ivr"])


async def test_abandon_when_nobody_is_ready(sessions: async_sessionmaker[Any]) -> None:
    settings = CampaignSettings(calling_window=ALWAYS, connect_timeout_s=0.5)
    campaign_id = await create_campaign(sessions, "abandon", settings)
    await add_sim_debtors(
        sessions,
        campaign_id,
        5,
        PEOPLE_ONLY,
    )
    pbx = FakePbx()
    acd = acd_with([])
    runner = CampaignRunner(sessions, campaign_id, settings, pbx, acd, FakeConnector(pbx))
    await runner.prepare()
    claims = await runner.hopper.claim(2)
    for claim in claims:
        await runner.flow.dial(claim)
    deadline = runner.clock() + 20
    while runner.flow.busy and runner.clock() < deadline:
        await runner._sleep(0.05)
    await pbx.close()
    async with sessions() as s:
        attempts = list((await s.execute(select(CallAttempt))).scalars())
        locked = [await s.get(Debtor, a.debtor_id) for a in attempts]
    assert [a.outcome for a in attempts] == ["abandoned", "abandoned"]
    assert all(r[1] == "dialer-abandon" for r in pbx.redirects)
    now = datetime.now(UTC)
    for debtor in locked:
        assert debtor is not None and debtor.do_not_call_until is not None
        assert debtor.do_not_call_until > now + timedelta(hours=71)
    assert runner.stats.abandons_total == 2


async def test_preview_agent_sees_the_case_then_dials(sessions: async_sessionmaker[Any]) -> None:
    from dialer.campaign.preview import PreviewDesk

    settings = CampaignSettings(dial_mode=DialMode.PREVIEW, calling_window=ALWAYS)
    campaign_id = await create_campaign(sessions, "preview", settings)
    await add_sim_debtors(
        sessions,
        campaign_id,
        3,
        PEOPLE_ONLY,
    )
    pbx = FakePbx()
    connector = FakeConnector(pbx)
    acd = acd_with(["7", "8"])
    runner = CampaignRunner(sessions, campaign_id, settings, pbx, acd, connector)
    await runner.prepare()
    assert await runner.tick() == 0  # preview: the runner never dials by itself
    desk = PreviewDesk(runner)
    case = await desk.next_case("8")
    assert case is not None and case.balance > 0 and case.name
    assert acd.state_of("8").value == "reserved" and not pbx.originated
    assert await desk.dial("8") == case.attempt_id
    deadline = runner.clock() + 20
    while runner.flow.busy and runner.clock() < deadline:
        await runner._sleep(0.05)
    await pbx.close()
    assert [login for _, login in connector.connected] == ["8"]
    assert pbx.originated[0].variables["DIALER_AMD"] == "0"
    skipped = await desk.next_case("7")
    assert skipped is not None
    await desk.skip("7")
    assert acd.state_of("7").value == "ready"
    async with sessions() as s:
        attempts = list((await s.execute(select(CallAttempt))).scalars())
    assert [(a.id, a.outcome) for a in attempts] == [(case.attempt_id, "connected")]
    await acd.aclose()


async def test_callback_to_self_goes_to_that_agent(sessions: async_sessionmaker[Any]) -> None:
    from dialer.campaign.dispositions import record_disposition
    from dialer.campaign.service import ensure_agents
    from dialer.db.outcomes import ResultKind
    from dialer.web.ports import Disposition

    settings = CampaignSettings(calling_window=ALWAYS, dial_mode=DialMode.PROGRESSIVE)
    campaign_id = await create_campaign(sessions, "callbacks", settings)
    await add_sim_debtors(
        sessions,
        campaign_id,
        1,
        PEOPLE_ONLY,
    )
    ids = await ensure_agents(sessions, ["8", "9"])
    async with sessions() as s:
        debtor_id = (await s.execute(select(Debtor.id))).scalar_one()
    due = datetime.now(UTC) + timedelta(seconds=1)
    await record_disposition(
        sessions,
        Disposition(debtor_id, ResultKind.CALLBACK, callback_at=due, callback_to_me=True),
        ids["9"],
    )
    async with sessions() as s:
        debtor = await s.get(Debtor, debtor_id)
        assert debtor is not None and debtor.status == "callback"
    pbx = FakePbx()
    connector = FakeConnector(pbx)
    acd = acd_with(["9", "8"])  # 9 became ready first: 8 would not be chosen by idle time...
    acd.pause("9", "break")
    acd.ready("9")  # ...now 8 is the longest idle, yet the callback belongs to 9
    runner = CampaignRunner(sessions, campaign_id, settings, pbx, acd, connector)
    await runner.prepare()
    await asyncio.sleep(1.1)
    claims = await runner.hopper.claim(1)
    assert [c.agent_login for c in claims] == ["9"]
    await runner.flow.dial(claims[0])
    deadline = runner.clock() + 20
    while runner.flow.busy and runner.clock() < deadline:
        await runner._sleep(0.05)
    await pbx.close()
    await acd.aclose()
    assert [login for _, login in connector.connected] == ["9"]


async def test_campaign_finishes_by_itself_when_no_debtor_is_left(
    sessions: async_sessionmaker[Any],
) -> None:
    stop_on_everything = {
        outcome: {"action": "stop"}
        for outcome in ("busy", "no_answer", "machine", "congestion", "connected", "abandoned")
    }
    settings = CampaignSettings(
        dial_mode=DialMode.PROGRESSIVE,
        calling_window=ALWAYS,
        tick_s=0.05,
        recycle=stop_on_everything,  # failed stays "phone bad": the debtor has no number left
    )
    campaign_id = await create_campaign(sessions, "finishing", settings)
    await add_sim_debtors(
        sessions, campaign_id, 12, OutcomeMix(talk_min_s=1, talk_max_s=2), phones_per_debtor=(1,)
    )
    await set_status(sessions, campaign_id, CampaignStatus.RUNNING)
    pbx = FakePbx()
    acd = acd_with(["1", "2"])
    events: list[dict[str, Any]] = []
    runner = CampaignRunner(
        sessions, campaign_id, settings, pbx, acd, FakeConnector(pbx), events.append
    )
    try:
        await runner.run(until=runner.clock() + 60)  # returns only when the campaign ends
    finally:
        await pbx.close()
        await acd.aclose()
    assert runner.status is CampaignStatus.FINISHED
    assert await get_status(sessions, campaign_id) is CampaignStatus.FINISHED
    assert {"type": "campaign", "campaign_id": campaign_id, "status": "finished"} in events
    async with sessions() as s:
        attempts = list((await s.execute(select(CallAttempt))).scalars())
        debtors = list((await s.execute(select(Debtor))).scalars())
    assert len(attempts) == 12 and {a.state for a in attempts} == {"ended"}
    assert all(d.status in ("done", "ready", "exhausted") for d in debtors)


async def test_campaign_with_retries_ahead_is_idle_not_finished(
    sessions: async_sessionmaker[Any],
) -> None:
    settings = _progressive_once_a_day()
    _, _, campaign_id = await run_campaign(sessions, settings, ["1", "2"], 6)
    # Busy, no-answer and machine outcomes come back later: the campaign is only out of calls
    # for now, so it keeps its status.
    assert await get_status(sessions, campaign_id) is CampaignStatus.RUNNING


async def test_machine_verdicts_count_as_abandons_with_an_amd_false_positive_rate(
    sessions: async_sessionmaker[Any],
) -> None:
    settings = _progressive_once_a_day(amd_false_positive_rate=0.25)
    campaign_id = await create_campaign(sessions, "machines", settings)
    await add_sim_debtors(sessions, campaign_id, 4, MACHINES_ONLY, phones_per_debtor=(1,))
    await set_status(sessions, campaign_id, CampaignStatus.RUNNING)
    pbx = FakePbx()
    acd = acd_with(["1", "2"])
    runner = CampaignRunner(sessions, campaign_id, settings, pbx, acd, FakeConnector(pbx))
    try:
        await runner.run(until=runner.clock() + 60, stop_when_done=True)
    finally:
        await pbx.close()
        await acd.aclose()
    assert runner.stats.machines_total == 4 and runner.stats.live_answers == 0
    # Ofcom's counting: a quarter of those machines were people who were hung up on.
    assert runner.stats.amd_false_positives == pytest.approx(1.0)
    assert runner.stats.abandon_rate == pytest.approx(1.0)
    # A restarted runner counts them again from the stored attempts.
    other_acd = acd_with([])
    restarted = CampaignRunner(sessions, campaign_id, settings, FakePbx(), other_acd, None)
    try:
        await restarted.prepare()
    finally:
        await other_acd.aclose()
    assert restarted.stats.amd_false_positives == pytest.approx(1.0)
