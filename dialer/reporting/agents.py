"""Agent performance from the stored state transitions (AgentStateEvent).

Each event opens an interval in its `to_state` that lasts until the agent's next event,
or until the end of the report window. Times are clipped to the window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.db.models import Agent, AgentStateEvent, PauseReason
from dialer.db.types import utcnow

# Agent states as the ACD stores them (compared case-insensitively).
TALK_STATES = frozenset({"on_call"})
WAIT_STATES = frozenset({"ready", "reserved"})
WRAP_STATES = frozenset({"wrap_up"})
PAUSE_STATES = frozenset({"paused"})
LOGGED_OUT = "logged_out"


@dataclass(frozen=True)
class BreakOverrun:
    login: str
    reason: str
    started_at: datetime
    duration_s: float
    allowance_s: int
    ongoing: bool

    @property
    def overrun_s(self) -> float:
        return self.duration_s - self.allowance_s


@dataclass
class AgentPerformance:
    login: str
    name: str
    calls: int = 0
    talk_s: float = 0.0
    wait_s: float = 0.0
    wrap_s: float = 0.0
    pause_s: float = 0.0
    logged_in_s: float = 0.0
    overruns: list[BreakOverrun] = field(default_factory=list)

    @property
    def occupancy_pct(self) -> float:
        """Share of logged-in time spent talking or wrapping up."""
        if self.logged_in_s <= 0:
            return 0.0
        return 100.0 * (self.talk_s + self.wrap_s) / self.logged_in_s

    def row(self) -> dict[str, object]:
        return {
            "login": self.login,
            "name": self.name,
            "calls": self.calls,
            "talk_s": round(self.talk_s),
            "wait_s": round(self.wait_s),
            "wrap_s": round(self.wrap_s),
            "pause_s": round(self.pause_s),
            "logged_in_s": round(self.logged_in_s),
            "occupancy_pct": f"{self.occupancy_pct:.1f}",
            "break_overruns": len(self.overruns),
            "overrun_s": round(sum(o.overrun_s for o in self.overruns)),
        }


def _add_interval(
    perf: AgentPerformance, state: str, start: datetime, end: datetime, since: datetime
) -> None:
    clipped = (end - max(start, since)).total_seconds()
    if clipped <= 0 or state == LOGGED_OUT:
        return
    perf.logged_in_s += clipped
    if state in TALK_STATES:
        perf.talk_s += clipped
    elif state in WAIT_STATES:
        perf.wait_s += clipped
    elif state in WRAP_STATES:
        perf.wrap_s += clipped
    elif state in PAUSE_STATES:
        perf.pause_s += clipped


def account(
    perf: AgentPerformance,
    events: list[AgentStateEvent],
    allowances: dict[str, int],
    since: datetime,
    until: datetime,
) -> None:
    """Fold one agent's events (sorted by time, may start before `since`) into `perf`."""
    for index, event in enumerate(events):
        state = event.to_state.lower()
        end = events[index + 1].at if index + 1 < len(events) else until
        end = min(end, until)
        _add_interval(perf, state, event.at, end, since)
        if state in TALK_STATES and event.at >= since:
            perf.calls += 1
        if state in PAUSE_STATES and end > since:
            allowance = allowances.get(event.reason or "")
            duration = (end - event.at).total_seconds()
            if allowance is not None and duration > allowance:
                ongoing = index + 1 == len(events)
                perf.overruns.append(
                    BreakOverrun(
                        perf.login, event.reason or "", event.at, duration, allowance, ongoing
                    )
                )


async def agent_performance(
    sessions: async_sessionmaker[AsyncSession],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AgentPerformance]:
    """Per-agent times over [since, until); the default window is the last 24 hours."""
    until = until or utcnow()
    since = since or until - timedelta(hours=24)
    async with sessions() as session:
        agents = (await session.execute(select(Agent).order_by(Agent.login))).scalars().all()
        allowances = {
            reason.code: reason.allowance_s
            for reason in (await session.execute(select(PauseReason))).scalars()
        }
        # The last event before the window tells the state the agent was in when it opened.
        events = (
            (
                await session.execute(
                    select(AgentStateEvent)
                    .where(AgentStateEvent.at < until)
                    .order_by(AgentStateEvent.agent_id, AgentStateEvent.at, AgentStateEvent.id)
                )
            )
            .scalars()
            .all()
        )
    by_agent: dict[int, list[AgentStateEvent]] = defaultdict(list)
    for event in events:
        by_agent[event.agent_id].append(event)
    report = []
    for agent in agents:
        own = by_agent.get(agent.id, [])
        first_in_window = next((i for i, e in enumerate(own) if e.at >= since), len(own))
        own = own[max(first_in_window - 1, 0) :]
        perf = AgentPerformance(agent.login, agent.name)
        account(perf, own, allowances, since, until)
        if own or agent.active:
            report.append(perf)
    return report
