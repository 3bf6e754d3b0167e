"""Wiring for one dialer process: AMI link, ACD with its PBX link, agents, campaign runners.

`dialer campaign run` and `dialer demo` both build their process here, so the demo runs
exactly the code a real deployment runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from acd import (
    Acd,
    AcdError,
    AgentProfile,
    AgentState,
    QueueConfig,
    Requirement,
)
from acd.bootstrap import acd_settings, add_configured_queues
from acd.pbx_link import AcdPbxLink
from acd.store import DbStateStore
from dialer.campaign.abandon import abandon_sound
from dialer.campaign.desk import CampaignAgentDesk
from dialer.campaign.ports import Publish, no_publish
from dialer.campaign.runner import CampaignRunner
from dialer.campaign.store import load_settings
from dialer.config import Settings
from dialer.db.models import Agent
from dialer.pbx.link import AmiLink

log = logging.getLogger(__name__)


def parse_logins(spec: str) -> list[str]:
    """'1011-1014,1020' -> ['1011', '1012', '1013', '1014', '1020']."""
    logins: list[str] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        first, _, last = part.partition("-")
        if last:
            logins += [str(n) for n in range(int(first), int(last) + 1)]
        else:
            logins.append(first)
    return logins


async def ensure_agents(
    sessions: async_sessionmaker[AsyncSession], logins: Iterable[str]
) -> dict[str, int]:
    """Agent rows for `logins` (created when missing); login -> Agent.id."""
    ids: dict[str, int] = {}
    async with sessions() as session, session.begin():
        for login in logins:
            agent = await session.scalar(select(Agent).where(Agent.login == login))
            if agent is None:
                agent = Agent(
                    login=login, name=f"Agent {login}", endpoint=f"PJSIP/agent{login}", skills={}
                )
                session.add(agent)
                await session.flush()
            ids[login] = agent.id
    return ids


@dataclass
class DialerProcess:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    link: AmiLink
    acd: Acd
    acd_link: AcdPbxLink
    state_store: DbStateStore
    desk: CampaignAgentDesk
    publish: Publish = no_publish
    runners: dict[int, CampaignRunner] = field(default_factory=dict)
    agent_ids: dict[str, int] = field(default_factory=dict)
    campaign_queues: set[str] = field(default_factory=set)  # queues a campaign has opened

    async def login_agents(self, logins: Iterable[str]) -> list[str]:
        """Call each agent's phone into their session and make them READY; returns who made it."""
        ids = await ensure_agents(self.sessions, logins)
        await self._end_stale_sessions(ids)
        ready: list[str] = []
        for login, agent_id in ids.items():
            self.acd.add_agent(AgentProfile(login, name=f"Agent {login}", agent_id=agent_id))
            self.agent_ids[login] = agent_id
            try:
                await self.acd_link.login(login)
            except Exception as exc:
                log.error("agent %s could not log in: %s", login, exc)
                continue
            # Someone (a person, or the demo's simulated desk) may have pressed ready already.
            if self.acd.state_of(login) is AgentState.PAUSED:
                with contextlib.suppress(AcdError):
                    self.acd.ready(login)
            ready.append(login)
        return ready

    async def _end_stale_sessions(self, logins: Iterable[str]) -> None:
        """A dialer killed without a goodbye leaves its agents' phones in their bridges:
        this process takes the agents over, so those old session calls are ended first."""
        prefixes = tuple(f"PJSIP/agent{login}-" for login in logins)
        for channel in await self.link.channels():
            name = channel.get("Channel", "")
            if name.startswith(prefixes):
                log.info("ending stale agent session %s", name)
                with contextlib.suppress(Exception):
                    await self.link.hangup(name)

    async def runner(
        self, campaign_id: int, variables: dict[str, str] | None = None
    ) -> CampaignRunner:
        if campaign_id not in self.runners:
            settings = await load_settings(self.sessions, campaign_id)
            self.open_campaign_queue(settings.acd_queue, settings.skills)
            variables = dict(variables or {})
            sound = await abandon_sound(self.settings, self.sessions, campaign_id, settings)
            if sound:
                variables["ABANDON_SOUND"] = sound
            self.runners[campaign_id] = CampaignRunner(
                self.sessions,
                campaign_id,
                settings,
                self.link,
                self.acd,
                self.acd_link,
                self.publish,
                variables,
            )
        return self.runners[campaign_id]

    def open_campaign_queue(self, name: str, skills: Mapping[str, Any]) -> None:
        """The queue where a campaign's agentless "press 1" callers (IVR enqueue) wait.

        One the configuration does not list is created with the defaults. The first campaign
        to use a queue that asks no skills of its own (none configured) gives it its skills."""
        requirement = Requirement.of(skills or None)
        configured = self.settings.acd.queues.get(name)
        first = name not in self.campaign_queues
        self.campaign_queues.add(name)
        if name not in self.acd.queues.names():
            self.acd.add_queue(QueueConfig(name, requirement))
        elif first and configured is not None and not configured.skills:
            self.acd.add_queue(replace(self.acd.queues.config(name), requirement=requirement))

    async def close(self) -> None:
        for login in [row["login"] for row in self.acd.agent_states()]:
            with contextlib.suppress(Exception):
                if self.acd.state_of(login).value != "logged_out":
                    await self.acd_link.logout(login)
        await self.acd_link.stop()
        await self.acd.aclose()
        await asyncio.sleep(0.5)  # let the state store's writer drain the logouts
        try:
            await self.state_store.close()
        except Exception as exc:  # agent history is lost, the campaign's data is not
            log.error("agent state events not all stored: %s", exc)
        await self.link.stop()


async def open_process(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    *,
    publish: Publish = no_publish,
    wrapup_s: float | None = None,
) -> DialerProcess:
    """Log in to AMI (AmiLoginError if Asterisk is down) and start the ACD's PBX side.

    The ACD's settings and queues are the configuration's [acd]; `wrapup_s` overrides its
    wrap-up time."""
    link = AmiLink(settings.asterisk)
    await link.start()
    agent_ids: dict[str, int] = {}
    state_store = DbStateStore(sessions, agent_ids.get)
    await state_store.start()
    acd = Acd(settings=acd_settings(settings.acd, wrapup_s=wrapup_s), store=state_store)
    add_configured_queues(acd, settings.acd)
    acd_link = AcdPbxLink(link, acd)
    await acd_link.start()

    def forward(event: dict[str, Any]) -> None:
        publish(event)

    acd.subscribe(forward)
    desk = CampaignAgentDesk(sessions, acd, acd_link)
    return DialerProcess(
        settings, sessions, link, acd, acd_link, state_store, desk, publish, agent_ids=agent_ids
    )
