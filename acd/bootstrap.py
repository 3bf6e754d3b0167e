"""Build a live `Acd` from the configuration ([acd] of config/dialer.toml) and the database:
settings and queues, agents, pause reasons, stored state changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.errors import UnknownAgentError
from acd.facade import Acd
from acd.queues import QueueConfig, Treatment
from acd.records import AcdSettings
from acd.routing import Requirement
from acd.store import DbStateStore, load_agents, load_pause_reasons, seed_pause_reasons
from dialer.config import AcdQueueSection, AcdSection


def acd_settings(section: AcdSection, *, wrapup_s: float | None = None) -> AcdSettings:
    """The ACD's runtime settings; `wrapup_s` (a command-line flag) wins over the file's."""
    return AcdSettings(
        wrapup_s=section.wrapup_s if wrapup_s is None else wrapup_s,
        reservation_timeout_s=section.reservation_timeout_s,
    )


def queue_config(name: str, queue: AcdQueueSection) -> QueueConfig:
    return QueueConfig(
        name,
        Requirement.of(queue.skills),
        priority=queue.priority,
        max_wait_s=queue.max_wait_s,
        treatment=Treatment(queue.treatment),
        treatment_target=queue.treatment_target,
        announce=queue.announce,
        announce_every_s=queue.announce_every_s,
    )


def add_configured_queues(acd: Acd, section: AcdSection) -> None:
    for name, queue in section.queues.items():
        acd.add_queue(queue_config(name, queue))


async def acd_from_db(sessions: async_sessionmaker[Any], section: AcdSection | None = None) -> Acd:
    """An Acd with the configured queues (defaults: `AcdSection()`), every active Agent and
    PauseReason (default reasons seeded if missing), whose state changes are written to
    AgentStateEvent. Close it with `await acd.aclose()`."""
    section = section or AcdSection()
    await seed_pause_reasons(sessions)
    reasons = await load_pause_reasons(sessions)
    acd: Acd

    def agent_id_of(login: str) -> int | None:
        try:
            return acd.profile(login).agent_id
        except UnknownAgentError:
            return None

    store = DbStateStore(sessions, agent_id_of)
    acd = Acd(settings=acd_settings(section), store=store, pause_reasons=reasons)
    add_configured_queues(acd, section)
    for profile in await load_agents(sessions):
        acd.add_agent(profile)
    await store.start()
    return acd
