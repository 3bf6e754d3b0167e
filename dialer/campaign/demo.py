"""`dialer demo`: a predictive campaign on the sandbox Asterisk, end to end, in one process.

Wiring (the same parts a deployment runs):
  SQLite var/demo.sqlite (migrated) <- campaign "demo" from config/campaigns/demo.toml,
      simulated debtors whose numbers come from dialer.pbx.simnumbers.sim_number;
  IvrServer (FastAGI on asterisk.fastagi_port) for [dialer-ivr];
  acd.sim_agents.SimAgentPool: SIP phones agent1001..agent10NN registering to the sandbox;
  AmiLink -> Acd + AcdPbxLink (agents' phones called into their ConfBridge sessions);
  CampaignRunner (hopper -> pacing -> originate -> AMD -> agent or abandon message);
  SimAgentBehaviour: agents fill in result forms through the AgentDesk after each call;
  web dashboard (dialer.web.create_app with this process's CampaignControls and AgentDesk).
Run it again with --keep to resume the same campaign: attempts left in flight are settled,
nothing is dialled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from acd.behaviour import AgentBehaviour, BehaviourSettings
from acd.sim_agents import SimAgentPool
from dialer.campaign.compliance import local
from dialer.campaign.controls import CampaignControlPanel
from dialer.campaign.demo_data import OutcomeMix, add_sim_debtors
from dialer.campaign.ports import Fanout
from dialer.campaign.runner import CampaignRunner
from dialer.campaign.service import open_process
from dialer.campaign.settings import load_campaign_file
from dialer.campaign.sim_behaviour import SimAgentBehaviour
from dialer.campaign.store import CampaignStatus, UnknownCampaign, create_campaign, find_campaign
from dialer.campaign.summary import campaign_summary, format_summary
from dialer.config import PROJECT_ROOT, Settings
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from dialer.db.types import utcnow
from dialer.web.app import create_app
from dialer.web.live import LiveHub

log = logging.getLogger(__name__)

DEMO_CAMPAIGN = "demo"
DEMO_FILE = PROJECT_ROOT / "config" / "campaigns" / "demo.toml"
DEFAULT_DB = PROJECT_ROOT / "var" / "demo.sqlite"
# Debtors live in a zone where it is daytime now, so the calling window lets the demo dial
# at any hour of the day, while the window rules stay on.
CANDIDATE_ZONES = (
    "Europe/Warsaw",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Pacific/Auckland",
)


@dataclass(frozen=True)
class DemoOptions:
    minutes: float = 3.0
    agents: int = 10
    debtors: int = 600
    database: str | None = None
    keep: bool = False


def daytime_zone(now: datetime) -> str:
    """A zone where the local time is between 10:00 and 18:00 on a weekday now."""
    for name in CANDIDATE_ZONES:
        here = local(now, name)
        if 10 <= here.hour < 18 and here.weekday() < 5:
            return name
    for name in CANDIDATE_ZONES:
        if 9 <= local(now, name).hour < 19 and local(now, name).weekday() < 6:
            return name
    return "Europe/Warsaw"


def demo_settings(settings: Settings, database: Path) -> Settings:
    return settings.model_copy(
        update={
            "database": settings.database.model_copy(
                update={"url": f"sqlite+aiosqlite:///{database}"}
            )
        }
    )


async def prepare_database(settings: Settings, options: DemoOptions) -> None:
    database = Path(options.database) if options.database else DEFAULT_DB
    if not options.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    await upgrade(settings.database.url)


async def ensure_campaign(sessions: Any, options: DemoOptions) -> tuple[int, bool]:
    """The demo campaign (created with its debtors if new); (id, created)."""
    with contextlib.suppress(UnknownCampaign):
        async with sessions() as session:
            return (await find_campaign(session, DEMO_CAMPAIGN)).id, False
    _, campaign_settings = load_campaign_file(DEMO_FILE)
    campaign_id = await create_campaign(
        sessions, DEMO_CAMPAIGN, campaign_settings, "Bank Demo S.A.", "+48221234567"
    )
    zone = daytime_zone(utcnow())
    await add_sim_debtors(sessions, campaign_id, options.debtors, OutcomeMix(), timezone=zone)
    print(f"demo: {options.debtors} simulated debtors in {zone} (daytime there now)", flush=True)
    return campaign_id, True


async def start_ivr(settings: Settings, sessions: Any) -> Any:
    try:
        from ivr.server import IvrServer

        server = IvrServer(settings, sessions, PROJECT_ROOT / "config" / "ivr")
        await server.start()
        print(f"IVR (FastAGI) on port {server.port}", flush=True)
        return server
    except Exception as exc:  # the campaign runs without it; agentless calls would fail
        log.warning("IVR server not started: %s", exc)
        return None


async def start_web(
    settings: Settings, sessions: Any, live: LiveHub, controls: Any, desk: Any
) -> web.AppRunner | None:
    app = create_app(sessions, live=live, controls=controls, acd=desk, auth=settings.web)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web.host, settings.web.port).start()
    except OSError as exc:
        log.warning("web dashboard not started: %s", exc)
        await runner.cleanup()
        return None
    print(f"dashboard on http://{settings.web.host}:{settings.web.port}/", flush=True)
    return runner


async def report_progress(runner: CampaignRunner, every_s: float = 15.0) -> None:
    while True:
        await asyncio.sleep(every_s)
        d = runner.figures.last_decision
        stats = runner.stats
        print(
            f"demo: dialled {runner.figures.dialled}, in flight {len(runner.flow.calls)}, "
            f"connected {stats.connected_total}, abandoned {stats.abandons_total} "
            f"({100 * stats.abandon_rate:.1f} %), ratio {d.ratio if d else 0:.2f}, "
            f"pacing: {d.reason if d else '-'}",
            flush=True,
        )


async def run_demo(base: Settings, options: DemoOptions) -> int:
    settings = demo_settings(base, Path(options.database) if options.database else DEFAULT_DB)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    await prepare_database(settings, options)
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    logins = [str(1001 + i) for i in range(options.agents)]
    live = LiveHub()
    behaviour: SimAgentBehaviour | None = None
    fanout = Fanout(live.publish)
    pool = SimAgentPool(logins)
    started = utcnow()
    ivr = web_runner = process = None
    desks: AgentBehaviour | None = None
    try:
        campaign_id, _ = await ensure_campaign(sessions, options)
        ivr = await start_ivr(settings, sessions)
        await pool.start()
        print(f"demo: {len(logins)} simulated agent phones registered", flush=True)
        process = await open_process(settings, sessions, publish=fanout, wrapup_s=8.0)
        behaviour = SimAgentBehaviour(process.desk, think_s=(2.0, 6.0))
        fanout.listeners.append(behaviour)
        # Agents also take the odd break (the ACD's own simulated-desk behaviour).
        desks = AgentBehaviour(process.acd, logins, BehaviourSettings(wrapup_s=(4.0, 8.0)))
        desks.start()
        panel = CampaignControlPanel(sessions)
        web_runner = await start_web(settings, sessions, live, panel, process.desk)
        ready = await process.login_agents(logins)
        print(f"demo: agents ready: {', '.join(ready)}", flush=True)
        runner = await process.runner(campaign_id)
        panel.attach(DEMO_CAMPAIGN, runner)
        await runner.set_status(CampaignStatus.RUNNING)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, runner.request_stop)
        print(f"demo: predictive campaign running for {options.minutes:g} min", flush=True)
        progress = asyncio.create_task(report_progress(runner))
        try:
            await runner.run(until=runner.clock() + options.minutes * 60)
        finally:
            progress.cancel()
        print("demo: stopping: no new calls, waiting for calls in flight", flush=True)
        await runner.set_status(CampaignStatus.STOPPED)
        await behaviour.drain()
    finally:
        if desks is not None:
            await desks.stop()
        if process is not None:
            await process.close()
        if web_runner is not None:
            await web_runner.cleanup()
        if ivr is not None:
            await ivr.stop()
        await pool.stop()
    summary = await campaign_summary(sessions, DEMO_CAMPAIGN, logins, since=started)
    await engine.dispose()
    print(format_summary(summary), flush=True)
    return 0
