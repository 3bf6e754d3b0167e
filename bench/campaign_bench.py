"""A real-time predictive campaign on the sandbox Asterisk, compared with the simulator.

    asterisk/sandbox start
    .venv/bin/python bench/campaign_bench.py --minutes 3 --agents 10 [--first-login 1001]

Simulated debtors (the sandbox's numbers: outcome and talk time in the digits) are dialled
by the real runner: AMI originate, AMD, agents' pyVoIP phones in their ConfBridge sessions,
simulated agents filling in result forms. Printed: abandon %, agent occupancy, dials per
agent-hour, next to what dialer.pacing's simulator predicts for the same settings and
traffic (same PacingEngine, virtual time). Uses agent logins first-login.. (default the demo's
1001-1010: do not run it together with `dialer demo`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
from datetime import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from acd.sim_agents import SimAgentPool
from dialer.campaign.demo_data import OutcomeMix, add_sim_debtors
from dialer.campaign.ports import Fanout
from dialer.campaign.runner import pacing_settings
from dialer.campaign.service import open_process
from dialer.campaign.settings import CallingWindow, CampaignSettings, DialMode
from dialer.campaign.sim_behaviour import SimAgentBehaviour
from dialer.campaign.store import CampaignStatus, create_campaign
from dialer.campaign.summary import campaign_summary
from dialer.config import Settings
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from dialer.db.types import utcnow
from dialer.pacing.baselines import OursStrategy
from dialer.pacing.scenario import (
    Agents,
    Amd,
    Answer,
    Dist,
    Drift,
    Duration,
    Ring,
    Scenario,
)
from dialer.pacing.simresult import SimResult
from dialer.pacing.simulator import simulate

ALWAYS = CallingWindow(start=time(0, 0), end=time(23, 59, 59), weekdays=list(range(7)))
WRAP_S = (2.0, 6.0)  # simulated agents' think time before the result form
AMD_S = 1.8  # AMD's time to say HUMAN, which the agent does not hear


def campaign_settings() -> CampaignSettings:
    return CampaignSettings(
        dial_mode=DialMode.PREDICTIVE,
        calling_window=ALWAYS,
        caps={"per_number_per_day": 1},
        pacing={"min_answers_predictive": 10},
    )


def scenario_for(mix: OutcomeMix, agents: int, minutes: float) -> Scenario:
    """The same traffic in the simulator's terms."""
    total = mix.human + mix.machine + mix.busy + mix.no_answer + mix.congestion + mix.invalid
    talk_mean = (mix.talk_min_s + mix.talk_max_s) / 2
    talk_sd = (mix.talk_max_s - mix.talk_min_s) / 12**0.5
    fast_fail = (mix.busy + mix.congestion + mix.invalid) / total
    return Scenario(
        name="sandbox",
        hours=minutes / 60,
        agents=Agents(count=agents, login_spread_s=0, breaks=0),
        answer=Answer(
            human=Drift(start=mix.human / total, end=mix.human / total),
            machine=Drift(start=mix.machine / total, end=mix.machine / total),
            busy=Drift(start=fast_fail, end=fast_fail),
        ),
        ring=Ring(
            human=Duration(dist=Dist.FIXED, mean=1.2 + AMD_S),
            machine=Duration(dist=Dist.FIXED, mean=2.3 + AMD_S),
            busy=Duration(dist=Dist.FIXED, mean=0.2),
            no_answer_timeout_s=25.0,
        ),
        talk=Duration(dist=Dist.GAMMA, mean=talk_mean + 0.5, cv=talk_sd / talk_mean),
        wrap=Duration(dist=Dist.GAMMA, mean=sum(WRAP_S) / 2, cv=0.3),
        amd=Amd(false_positive=0.0, false_negative=0.0),
        connect_window_s=2.0,
        tick_s=0.5,
    )


async def live_run(args: argparse.Namespace, mix: OutcomeMix) -> dict[str, float]:
    logins = [str(args.first_login + i) for i in range(args.agents)]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite"
        await upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        debtors = args.debtors or int(args.minutes * args.agents * 12) + 50
        campaign_id = await create_campaign(sessions, "bench", campaign_settings(), "Bank Bench")
        await add_sim_debtors(sessions, campaign_id, debtors, mix, seed=3, phones_per_debtor=(1,))
        pool = SimAgentPool(logins)
        fanout = Fanout()
        started = utcnow()
        await pool.start()
        try:
            process = await open_process(Settings(), sessions, publish=fanout, wrapup_s=10.0)
            try:
                fanout.listeners.append(SimAgentBehaviour(process.desk, think_s=WRAP_S))
                ready = await process.login_agents(logins)
                runner = await process.runner(campaign_id)
                await runner.set_status(CampaignStatus.RUNNING)
                await runner.run(until=runner.clock() + args.minutes * 60)
                connect = process.acd_link.connect_stats()
            finally:
                await process.close()
        finally:
            await pool.stop()
        summary = await campaign_summary(sessions, "bench", logins, since=started)
        await engine.dispose()
    counts = summary["counts"]
    hours = args.minutes / 60 * len(ready)
    print(f"  connect (answer -> agent bridge): {connect}")
    return {
        "dials": counts["dialled"],
        "connected": counts["connected"],
        "abandoned": counts["abandoned"],
        "abandon_pct": summary["abandon_pct"]["campaign"],
        "occupancy_pct": summary["agent_occupancy_pct"] or 0.0,
        "dials_per_agent_hour": counts["dialled"] / hours if hours else 0.0,
    }


def predicted(args: argparse.Namespace, mix: OutcomeMix) -> dict[str, float]:
    scenario = scenario_for(mix, args.agents, args.minutes)
    results: list[SimResult] = [
        simulate(scenario, OursStrategy(pacing_settings(campaign_settings())), seed=seed)
        for seed in range(1, 6)
    ]
    return {
        "dials": statistics.mean(r.dials for r in results),
        "connected": statistics.mean(r.connected for r in results),
        "abandoned": statistics.mean(r.abandons for r in results),
        "abandon_pct": 100 * statistics.mean(r.abandon_rate for r in results),
        "occupancy_pct": 100 * statistics.mean(r.occupancy for r in results),
        "dials_per_agent_hour": statistics.mean(r.dials_per_agent_hour for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--first-login", type=int, default=1001)
    parser.add_argument("--debtors", type=int, default=0)
    parser.add_argument("--talk", default="20-90", help="talk seconds of people, MIN-MAX")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    low, _, high = args.talk.partition("-")
    mix = OutcomeMix(talk_min_s=int(low), talk_max_s=int(high or low))
    print(f"campaign bench: {args.agents} agents, {args.minutes:g} min, talk {args.talk} s")
    live = asyncio.run(live_run(args, mix))
    sim = predicted(args, mix)
    print(f"  {'':22} {'sandbox':>10} {'simulator':>10}")
    for key in live:
        print(f"  {key:22} {live[key]:10.1f} {sim[key]:10.1f}")


if __name__ == "__main__":
    main()
