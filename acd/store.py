"""Persistence of the ACD: agents and pause reasons in, state changes out.

State changes are written by one background task in small batches, so a transition
never waits for the database (routing must stay in-memory fast).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd.agent_state import StateChange
from acd.routing import Skills
from dialer.db.models import Agent, AgentStateEvent, PauseReason

log = logging.getLogger(__name__)

WRITE_RETRY_DELAYS_S = (0.1, 0.3, 1.0, 2.0)


@dataclass(frozen=True)
class AgentProfile:
    login: str
    name: str = ""
    endpoint: str = ""  # e.g. PJSIP/agent1021; default derived from the login
    skills: Skills = field(default_factory=Skills)
    agent_id: int | None = None  # Agent.id, needed to store state events

    @property
    def phone(self) -> str:
        return self.endpoint or f"PJSIP/agent{self.login}"


@dataclass(frozen=True)
class PauseReasonInfo:
    code: str
    label: str
    allowance_s: int  # a break longer than this is an overrun


DEFAULT_PAUSE_REASONS = (
    PauseReasonInfo("break", "Break", 15 * 60),
    PauseReasonInfo("lunch", "Lunch", 30 * 60),
    PauseReasonInfo("training", "Training", 60 * 60),
    PauseReasonInfo("meeting", "Meeting", 30 * 60),
)


class StateStore(Protocol):
    def record(self, change: StateChange) -> None: ...

    async def close(self) -> None: ...


class MemoryStateStore:
    """Keeps changes in a list: for the simulator and tests that need no database."""

    def __init__(self) -> None:
        self.changes: list[StateChange] = []

    def record(self, change: StateChange) -> None:
        self.changes.append(change)

    async def close(self) -> None:
        return None


class DbStateStore:
    """Writes AgentStateEvent rows in batches from a background task."""

    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        agent_id_of: Callable[[str], int | None],
        batch_size: int = 200,
    ) -> None:
        self._sessions = sessions
        self._agent_id_of = agent_id_of
        self._batch_size = batch_size
        # None is the "stop" mark: everything queued before it is written first
        self._pending: asyncio.Queue[tuple[StateChange, int | None] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def record(self, change: StateChange) -> None:
        # The agent id is looked up now: the agent may be deleted before the write.
        self._pending.put_nowait((change, self._agent_id_of(change.login)))

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="acd-state-store")

    async def close(self, timeout_s: float = 15.0) -> None:
        """Write everything still pending, then stop."""
        if self._task is not None:
            self._pending.put_nowait(None)
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        batch = [item for item in self._drain() if item is not None]
        if batch:
            await self._write_patiently(batch)

    def _drain(self, limit: int | None = None) -> list[tuple[StateChange, int | None] | None]:
        items: list[tuple[StateChange, int | None] | None] = []
        while not self._pending.empty() and (limit is None or len(items) < limit):
            items.append(self._pending.get_nowait())
        return items

    async def _run(self) -> None:
        while True:
            items = [await self._pending.get(), *self._drain(self._batch_size - 1)]
            stop = None in items
            batch = [item for item in items if item is not None]
            if batch:
                await self._write_patiently(batch)
            if stop:
                return

    async def _write_patiently(self, batch: list[tuple[StateChange, int | None]]) -> None:
        """Retry a busy database (SQLite "database is locked" under a writer); never raise:
        losing a few report rows must not stop the ACD or its shutdown."""
        for delay in WRITE_RETRY_DELAYS_S:
            try:
                await self._write(batch)
                return
            except Exception as exc:
                log.warning("agent state events not stored yet (%s): retry in %.1f s", exc, delay)
                await asyncio.sleep(delay)
        try:
            await self._write(batch)
        except Exception:
            log.exception("could not store %d agent state events: dropped", len(batch))

    async def _write(self, batch: list[tuple[StateChange, int | None]]) -> None:
        rows = []
        for change, agent_id in batch:
            if agent_id is None:
                log.warning("agent %s has no database id: state event not stored", change.login)
                continue
            rows.append(
                AgentStateEvent(
                    agent_id=agent_id,
                    from_state=change.from_state.value,
                    to_state=change.to_state.value,
                    event=change.event.value,
                    reason=change.reason,
                    attempt_id=change.attempt_id,
                    at=change.at,
                )
            )
        if rows:
            async with self._sessions() as session, session.begin():
                session.add_all(rows)


async def seed_pause_reasons(sessions: async_sessionmaker[Any]) -> None:
    """Add the default pause reasons that are missing (never overwrites an edited one)."""
    async with sessions() as session, session.begin():
        existing = set((await session.scalars(select(PauseReason.code))).all())
        for reason in DEFAULT_PAUSE_REASONS:
            if reason.code not in existing:
                session.add(
                    PauseReason(
                        code=reason.code, label=reason.label, allowance_s=reason.allowance_s
                    )
                )


async def load_pause_reasons(sessions: async_sessionmaker[Any]) -> list[PauseReasonInfo]:
    async with sessions() as session:
        rows = (await session.scalars(select(PauseReason))).all()
        return [PauseReasonInfo(r.code, r.label, r.allowance_s) for r in rows]


async def load_agents(sessions: async_sessionmaker[Any]) -> list[AgentProfile]:
    async with sessions() as session:
        rows = (await session.scalars(select(Agent).where(Agent.active.is_(True)))).all()
        return [
            AgentProfile(r.login, r.name, r.endpoint, Skills.from_json(r.skills), r.id)
            for r in rows
        ]


async def save_agent(
    sessions: async_sessionmaker[Any], profile: AgentProfile, raw_skills: dict[str, Any]
) -> int:
    """Create or update an Agent row; return its id."""
    async with sessions() as session, session.begin():
        agent = await session.scalar(select(Agent).where(Agent.login == profile.login))
        if agent is None:
            agent = Agent(
                login=profile.login,
                name=profile.name or profile.login,
                endpoint=profile.phone,
                skills=raw_skills,
                active=True,
            )
            session.add(agent)
        else:
            agent.name, agent.endpoint, agent.skills = (
                profile.name or agent.name,
                profile.phone,
                raw_skills,
            )
            agent.active = True
        await session.flush()
        return int(agent.id)
