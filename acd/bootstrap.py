"""Build a live `Acd` from the database: agents, pause reasons, stored state changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.errors import UnknownAgentError
from acd.facade import Acd
from acd.records import AcdSettings
from acd.store import DbStateStore, load_agents, load_pause_reasons, seed_pause_reasons


async def acd_from_db(
    sessions: async_sessionmaker[Any], settings: AcdSettings | None = None
) -> Acd:
    """An Acd with every active Agent and PauseReason (default reasons seeded if missing),
    whose state changes are written to AgentStateEvent. Close it with `await acd.aclose()`."""
    await seed_pause_reasons(sessions)
    reasons = await load_pause_reasons(sessions)
    acd: Acd

    def agent_id_of(login: str) -> int | None:
        try:
            return acd.profile(login).agent_id
        except UnknownAgentError:
            return None

    store = DbStateStore(sessions, agent_id_of)
    acd = Acd(settings=settings, store=store, pause_reasons=reasons)
    for profile in await load_agents(sessions):
        acd.add_agent(profile)
    await store.start()
    return acd
