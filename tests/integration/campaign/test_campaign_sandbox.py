"""A small campaign on the real sandbox: Asterisk, simulated debtors, simulated agent phones.

Agent logins 1011-1014 and 1019-1020 here, 1015-1018 in the restart test (the campaign
tests' range).
"""

from __future__ import annotations

from collections import Counter
from datetime import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.sim_agents import SimAgentPool
from dialer.campaign.demo_data import OutcomeMix, add_sim_debtors
from dialer.campaign.ports import Fanout
from dialer.campaign.service import open_process
from dialer.campaign.settings import CallingWindow, CampaignSettings, DialMode
from dialer.campaign.sim_behaviour import SimAgentBehaviour
from dialer.campaign.store import CampaignStatus, create_campaign
from dialer.config import Settings
from dialer.db.models import CallAttempt, Phone, ScriptResult
from dialer.pbx.simnumbers import SimOutcome, decode

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")

ALWAYS = CallingWindow(start=time(0, 0), end=time(23, 59, 59), weekdays=list(range(7)))
# No "no answer" numbers: each would ring for the whole ring timeout.
QUICK_MIX = OutcomeMix(
    human=0.5,
    machine=0.2,
    busy=0.15,
    no_answer=0,
    congestion=0.1,
    invalid=0.05,
    talk_min_s=3,
    talk_max_s=8,
)
EXPECTED = {
    SimOutcome.BUSY: {"busy"},
    SimOutcome.CONGESTION: {"congestion"},
    SimOutcome.INVALID: {"failed"},
    SimOutcome.MACHINE: {"machine", "connected", "abandoned", "human"},
    SimOutcome.HUMAN: {"connected", "abandoned", "machine", "human"},
}


def quick_settings() -> CampaignSettings:
    return CampaignSettings(
        dial_mode=DialMode.PREDICTIVE,
        calling_window=ALWAYS,
        ring_timeout_s=15,
        caps={"per_number_per_day": 1},
        tick_s=0.3,
    )


async def test_small_campaign_runs_to_completion(sessions: async_sessionmaker[Any]) -> None:
    logins = ["1011", "1012", "1013", "1014"]
    campaign_id = await create_campaign(sessions, "sandbox", quick_settings(), "Bank Test")
    await add_sim_debtors(sessions, campaign_id, 24, QUICK_MIX, seed=11, phones_per_debtor=(1,))
    pool = SimAgentPool(logins)
    fanout = Fanout()
    await pool.start()
    try:
        process = await open_process(Settings(), sessions, publish=fanout, wrapup_s=5.0)
        try:
            behaviour = SimAgentBehaviour(process.desk, think_s=(0.2, 0.6), fill_share=1.0)
            fanout.listeners.append(behaviour)
            assert await process.login_agents(logins) == logins
            runner = await process.runner(campaign_id)
            await runner.set_status(CampaignStatus.RUNNING)
            await runner.run(until=runner.clock() + 150, stop_when_done=True)
            await behaviour.drain()
        finally:
            await process.close()
    finally:
        await pool.stop()

    async with sessions() as s:
        attempts = list((await s.execute(select(CallAttempt))).scalars())
        results = list((await s.execute(select(ScriptResult))).scalars())
        phones = list((await s.execute(select(Phone))).scalars())
    assert len(attempts) == 24, "every debtor dialled once"
    assert len({a.phone_id for a in attempts}) == 24, "no number dialled twice"
    assert all(a.state == "ended" and a.ended_at is not None for a in attempts)
    for attempt in attempts:
        expected, _ = decode(attempt.number_e164)
        assert attempt.outcome in EXPECTED[expected], (attempt.number_e164, attempt.outcome)
        assert attempt.originated_at is not None
        if attempt.outcome == "connected":
            assert attempt.agent_id is not None and attempt.bridged_at is not None
            assert attempt.answered_at is not None
    outcomes = Counter(a.outcome for a in attempts)
    humans = sum(1 for a in attempts if decode(a.number_e164)[0] is SimOutcome.HUMAN)
    assert outcomes["connected"] >= humans // 2, outcomes
    connected = {a.id for a in attempts if a.outcome == "connected"}
    assert len(results) == behaviour.submitted == outcomes["connected"]
    assert {r.attempt_id for r in results} == connected
    assert all(r.source == "agent" and r.agent_id is not None for r in results)
    wrong_party = {r.attempt_id for r in results if r.kind == "wrong_party"}
    bad_phones = {p.id for p in phones if p.bad}
    for attempt in attempts:
        if attempt.id in wrong_party or attempt.outcome == "failed":
            assert attempt.phone_id in bad_phones


async def test_campaign_with_nobody_left_finishes_by_itself(
    sessions: async_sessionmaker[Any],
) -> None:
    """Agent logins 1019-1020. Every outcome stops its debtor, so once each is dialled the
    campaign has nobody left and ends itself; machine verdicts count the UK way."""
    stopping = ("busy", "no_answer", "congestion", "machine", "human", "connected", "abandoned")
    settings = CampaignSettings.model_validate(
        {
            **quick_settings().model_dump(),
            "recycle": {outcome: {"action": "stop"} for outcome in stopping},
            "amd_false_positive_rate": 0.1,
        }
    )
    logins = ["1019", "1020"]
    campaign_id = await create_campaign(sessions, "finishing", settings, "Bank Test")
    await add_sim_debtors(sessions, campaign_id, 8, QUICK_MIX, seed=7, phones_per_debtor=(1,))
    pool = SimAgentPool(logins)
    await pool.start()
    try:
        process = await open_process(Settings(), sessions, wrapup_s=2.0)
        try:
            assert await process.login_agents(logins) == logins
            runner = await process.runner(campaign_id)
            await runner.set_status(CampaignStatus.RUNNING)
            await runner.run(until=runner.clock() + 150)  # no stop_when_done: it must end itself
        finally:
            await process.close()
    finally:
        await pool.stop()
    assert runner.status is CampaignStatus.FINISHED
    async with sessions() as s:
        attempts = list((await s.execute(select(CallAttempt))).scalars())
    assert len(attempts) == 8 and all(a.state == "ended" for a in attempts)
    machines = sum(1 for a in attempts if a.outcome == "machine")
    assert machines > 0 and runner.stats.machines_total == machines  # seed 7: 3 machines
    assert runner.stats.amd_false_positives == pytest.approx(0.1 * machines)
