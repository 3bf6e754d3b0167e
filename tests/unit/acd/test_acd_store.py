"""State changes reach AgentStateEvent (real SQLite); agents and pause reasons load from it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd import AgentProfile, AgentState, Skills
from acd.bootstrap import acd_from_db
from acd.store import save_agent
from dialer.db.models import AgentStateEvent, PauseReason


async def test_acd_from_db_stores_every_transition(sessions: async_sessionmaker[Any]) -> None:
    raw_skills = {"language": ["pl"], "seniority": 2}
    agent_id = await save_agent(
        sessions, AgentProfile("1021", "Anna", skills=Skills.from_json(raw_skills)), raw_skills
    )
    acd = await acd_from_db(sessions)
    try:
        assert {r.code for r in acd.pause_reasons()} >= {"break", "lunch", "training", "meeting"}
        assert acd.profile("1021").skills.seniority == 2
        acd.login("1021")
        acd.ready("1021")
        reservation = acd.reserve({"language": "pl"})
        assert reservation is not None
        acd.connect(reservation)
        acd.pause("1021", "lunch")
        acd.call_ended("1021")
        acd.wrapup_done("1021")
        assert acd.state_of("1021") is AgentState.PAUSED
    finally:
        await acd.aclose()
    async with sessions() as session:
        rows = (await session.scalars(select(AgentStateEvent).order_by(AgentStateEvent.id))).all()
        reasons = {r.code: r.allowance_s for r in (await session.scalars(select(PauseReason)))}
    assert [(r.event, r.to_state) for r in rows] == [
        ("login", "paused"),
        ("ready", "ready"),
        ("reserve", "reserved"),
        ("connect", "on_call"),
        ("pause_after_call", "on_call"),
        ("call_ended", "wrap_up"),
        ("wrapup_done", "paused"),
    ]
    assert {r.agent_id for r in rows} == {agent_id}
    assert rows[-1].reason == "lunch"
    assert all(r.at.tzinfo is not None for r in rows)
    assert reasons["break"] == 15 * 60 and reasons["training"] == 60 * 60


async def test_seeding_keeps_an_edited_reason(sessions: async_sessionmaker[Any]) -> None:
    async with sessions() as session, session.begin():
        session.add(PauseReason(code="break", label="Coffee", allowance_s=600))
    acd = await acd_from_db(sessions)
    await acd.aclose()
    assert {r.code: r.allowance_s for r in acd.pause_reasons()}["break"] == 600


async def test_a_busy_database_is_retried_and_never_breaks_shutdown(
    sessions: async_sessionmaker[Any], monkeypatch: Any
) -> None:
    import acd.store as store_module
    from acd.agent_state import AgentEvent, AgentState, StateChange
    from acd.store import DbStateStore
    from dialer.db.types import utcnow

    monkeypatch.setattr(store_module, "WRITE_RETRY_DELAYS_S", (0.0, 0.0))
    agent_id = await save_agent(sessions, AgentProfile("1022"), {})
    store = DbStateStore(sessions, lambda _login: agent_id)
    real_write = store._write
    failures = iter([True, True])

    async def flaky_write(batch: Any) -> None:
        if next(failures, False):
            raise RuntimeError("database is locked")
        await real_write(batch)

    monkeypatch.setattr(store, "_write", flaky_write)
    await store.start()
    at = utcnow()
    store.record(
        StateChange("1022", AgentEvent.LOGIN, AgentState.LOGGED_OUT, AgentState.PAUSED, at)
    )
    store.record(
        StateChange("1022", AgentEvent.LOGOUT, AgentState.PAUSED, AgentState.LOGGED_OUT, at)
    )
    await store.close()  # does not raise
    async with sessions() as session:
        rows = (await session.scalars(select(AgentStateEvent))).all()
    assert sorted(r.event for r in rows) == ["login", "logout"]

    async def broken_write(batch: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_write", broken_write)
    store.record(
        StateChange("1022", AgentEvent.LOGIN, AgentState.LOGGED_OUT, AgentState.PAUSED, at)
    )
    await store.close()  # still does not raise: the row is dropped, logged
