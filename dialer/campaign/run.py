"""`dialer campaign run`: one dialer process running one campaign until stopped.

SIGTERM/SIGINT stop it cleanly (calls in flight are let finish). A SIGKILL is safe too: every
attempt was committed before its Originate, and the next run settles what was left in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass

from acd.sim_agents import SimAgentPool
from dialer.campaign.controls import CampaignControlPanel
from dialer.campaign.demo import start_ivr, start_web
from dialer.campaign.ports import Fanout
from dialer.campaign.service import open_process, parse_logins
from dialer.campaign.sim_behaviour import SimAgentBehaviour
from dialer.campaign.store import CampaignStatus, find_campaign
from dialer.campaign.summary import campaign_summary, format_summary
from dialer.config import Settings
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from dialer.db.types import utcnow
from dialer.web.live import LiveHub

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    name: str
    logins: str = ""
    sim_agents: bool = False
    sim_results: bool = False
    minutes: float | None = None
    until_done: bool = False
    start: bool = False
    wrapup_s: float | None = None  # None: the configuration's acd.wrapup_s
    web: bool = False
    ivr: bool = False


async def run_campaign(settings: Settings, options: RunOptions) -> int:
    await upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    logins = parse_logins(options.logins)
    pool = SimAgentPool(logins) if options.sim_agents and logins else None
    live = LiveHub()
    fanout = Fanout(live.publish)
    started = utcnow()
    web_runner = None
    ivr_server = None
    try:
        async with sessions() as session:
            campaign = await find_campaign(session, options.name)
        if pool is not None:
            await pool.start()
        if options.ivr:
            ivr_server = await start_ivr(settings, sessions)
        process = await open_process(settings, sessions, publish=fanout, wrapup_s=options.wrapup_s)
        try:
            if options.sim_results:
                fanout.listeners.append(SimAgentBehaviour(process.desk))
            ready = await process.login_agents(logins)
            log.info("agents ready: %s", ", ".join(ready) or "none")
            runner = await process.runner(campaign.id)
            if options.web:
                panel = CampaignControlPanel(sessions)
                panel.attach(campaign.name, runner)
                web_runner = await start_web(settings, sessions, live, panel, process.desk)
            if options.start:
                await runner.set_status(CampaignStatus.RUNNING)
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, runner.request_stop)
            until = runner.clock() + options.minutes * 60 if options.minutes else None
            await runner.run(until=until, stop_when_done=options.until_done)
            for listener in fanout.listeners:
                if isinstance(listener, SimAgentBehaviour):
                    await listener.drain()
        finally:
            if web_runner is not None:
                await web_runner.cleanup()
            await process.close()
            if ivr_server is not None:
                await ivr_server.stop()
        summary = await campaign_summary(sessions, options.name, logins, since=started)
        print(format_summary(summary), flush=True)
        return 0
    finally:
        if pool is not None:
            await pool.stop()
        await engine.dispose()
