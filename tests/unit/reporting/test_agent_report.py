from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.db.models import Agent, AgentStateEvent, PauseReason
from dialer.reporting.agents import agent_performance

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


async def _agent_with_events(
    sessions: async_sessionmaker[Any], login: str, steps: list[tuple[int, str, str | None]]
) -> None:
    """steps: (minutes after T0, to_state, reason)."""
    async with sessions() as session, session.begin():
        agent = Agent(login=login, name=f"Agent {login}", endpoint=f"PJSIP/{login}")
        session.add(agent)
        await session.flush()
        previous = "logged_out"
        for minute, state, reason in steps:
            session.add(
                AgentStateEvent(
                    agent_id=agent.id,
                    from_state=previous,
                    to_state=state,
                    event="test",
                    reason=reason,
                    at=T0 + timedelta(minutes=minute),
                )
            )
            previous = state


async def test_times_occupancy_and_break_overrun(sessions: async_sessionmaker[Any]) -> None:
    async with sessions() as session, session.begin():
        session.add(PauseReason(code="lunch", label="Lunch", allowance_s=30 * 60))
        session.add(PauseReason(code="coffee", label="Coffee", allowance_s=10 * 60))
    await _agent_with_events(
        sessions,
        "agent1001",
        [
            (0, "READY", None),  # 10 min wait
            (10, "ON_CALL", None),  # 20 min talk
            (30, "WRAP_UP", None),  # 5 min wrap
            (35, "PAUSED", "coffee"),  # 15 min coffee: 5 min overrun
            (50, "READY", None),  # 10 min wait
            (60, "ON_CALL", None),  # 10 min talk
            (70, "LOGGED_OUT", None),
        ],
    )
    [perf] = await agent_performance(sessions, since=T0, until=T0 + timedelta(hours=2))
    assert perf.calls == 2
    assert perf.talk_s == 30 * 60
    assert perf.wait_s == 20 * 60
    assert perf.wrap_s == 5 * 60
    assert perf.pause_s == 15 * 60
    assert perf.logged_in_s == 70 * 60
    assert perf.occupancy_pct == pytest.approx(100 * 35 / 70)
    [overrun] = perf.overruns
    assert (overrun.reason, overrun.overrun_s, overrun.ongoing) == ("coffee", 5 * 60, False)
    assert perf.row()["occupancy_pct"] == "50.0"


async def test_window_clips_intervals_and_open_pause(sessions: async_sessionmaker[Any]) -> None:
    async with sessions() as session, session.begin():
        session.add(PauseReason(code="lunch", label="Lunch", allowance_s=30 * 60))
    await _agent_with_events(sessions, "agent1002", [(0, "on_call", None), (60, "paused", "lunch")])
    # Window starts mid-call and ends 45 min into a lunch that has not ended yet.
    since = T0 + timedelta(minutes=40)
    until = T0 + timedelta(minutes=105)
    [perf] = await agent_performance(sessions, since=since, until=until)
    assert perf.talk_s == 20 * 60
    assert perf.pause_s == 45 * 60
    assert perf.calls == 0  # the call started before the window
    [overrun] = perf.overruns
    assert overrun.ongoing and overrun.overrun_s == 15 * 60
