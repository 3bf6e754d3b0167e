"""Read-only figures of the agent floor: for pacing (who is free when) and the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from acd.agent_state import AgentState
from acd.records import AgentRecord
from acd.routing import Requirement
from acd.stats import HandleTimeStats


def free_in(agent: AgentRecord, stats: HandleTimeStats, now: datetime) -> float | None:
    """Seconds until a busy agent is expected free; None if they will not be (break asked)."""
    machine = agent.machine
    if machine.pending_pause is not None:
        return None
    elapsed = machine.time_in_state(now)
    if machine.state is AgentState.WRAP_UP and agent.wrapup_deadline is not None:
        deadline_in = (agent.wrapup_deadline - now).total_seconds()
        return stats.free_in_from_wrapup(elapsed, deadline_in)
    if machine.state is AgentState.ON_CALL:
        return stats.free_in_from_talk(elapsed)
    if machine.state is AgentState.RESERVED:
        return stats.free_in_from_talk(0.0)  # the call has not even started
    return None


def busy_free_in(
    agents: Iterable[AgentRecord], stats: HandleTimeStats, now: datetime
) -> list[float]:
    estimates = (free_in(agent, stats, now) for agent in agents)
    return sorted(s for s in estimates if s is not None)


def describe(agent: AgentRecord, now: datetime) -> dict[str, Any]:
    """One agent for the dashboard (JSON-ready)."""
    machine = agent.machine
    return {
        "type": "agent_state",
        "login": agent.profile.login,
        "name": agent.profile.name,
        "state": machine.state.value,
        "since": machine.since.isoformat() if machine.since else None,
        "reason": machine.reason,
        "attempt_id": machine.attempt_id,
        "debtor_id": agent.debtor_id if machine.state is AgentState.ON_CALL else None,
        "pending_pause": machine.pending_pause,
        "overrun": agent.overrun,
        "seconds_in_state": round(machine.time_in_state(now), 1),
    }


def totals(agent: AgentRecord, now: datetime) -> dict[str, float]:
    """Seconds per state, and per pause reason as 'paused:<code>', since first login."""
    machine = agent.machine
    out = {state.value: secs for state, secs in machine.totals_at(now).items()}
    pauses = dict(machine.pause_totals)
    if machine.state is AgentState.PAUSED and machine.reason is not None:
        since = machine.accounted_until or now
        extra = max(0.0, (now - since).total_seconds())
        pauses[machine.reason] = pauses.get(machine.reason, 0.0) + extra
    out.update({f"paused:{code}": secs for code, secs in pauses.items()})
    return out


def estimated_wait(
    position: int, agents: Iterable[AgentRecord], requirement: Requirement, stats: HandleTimeStats
) -> float:
    """Seconds a caller at `position` may wait: calls ahead x handle time / agents serving."""
    serving = sum(
        1
        for agent in agents
        if agent.machine.state not in (AgentState.LOGGED_OUT, AgentState.PAUSED)
        and requirement.accepts(agent.profile.skills)
    )
    return position * stats.handle_time() / max(1, serving)
