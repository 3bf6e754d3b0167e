"""Queues and wrap-up configured in [acd] are the ones the running ACD works with."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd import Acd, AgentProfile, Requirement, Skills, Treatment
from acd.announcer import QueueAnnouncer
from acd.bootstrap import acd_from_db, acd_settings, add_configured_queues
from dialer.config import AcdSection, load_settings
from tests.unit.acd.acd_clock import FakeClock
from tests.unit.acd.test_acd_announcer import FakeChannels, FakePrompts


def configured(*overrides: str) -> AcdSection:
    return load_settings(overrides=list(overrides), environ={}).acd


def test_a_configured_wait_limit_and_treatment_reach_the_acd() -> None:
    section = configured(
        "acd.queues.inbound.max_wait_s=45",
        "acd.queues.inbound.treatment=callback",
        "acd.queues.inbound.treatment_target=dialer-callback-thanks",
    )
    clock = FakeClock()
    acd = Acd(settings=acd_settings(section), clock=clock)
    add_configured_queues(acd, section)
    treated: list[tuple[str, Treatment, str]] = []
    acd.on_treatment = lambda call, config: treated.append(
        (call.call_id, config.treatment, config.treatment_target)
    )
    acd.enqueue("inbound", "u1", inbound=True)
    clock.advance(44)
    acd.tick()
    assert treated == []
    clock.advance(1)
    acd.tick()
    assert treated == [("u1", Treatment.CALLBACK, "dialer-callback-thanks")]


def test_configured_skills_and_priority_decide_who_takes_the_call() -> None:
    section = configured(
        "acd.queues.polish.skills.language=pl",
        "acd.queues.polish.priority=5",
        "acd.queues.collections.priority=1",
    )
    acd = Acd(settings=acd_settings(section))
    add_configured_queues(acd, section)
    assert acd.queues.config("polish").requirement == Requirement.of({"language": "pl"})
    acd.enqueue("collections", "c1")
    acd.enqueue("polish", "p1")
    assigned: list[str] = []
    acd.on_assignment = lambda call, _reservation: assigned.append(call.call_id)
    acd.add_agent(AgentProfile("1021", skills=Skills.from_json({"language": ["pl"]})))
    acd.login("1021")
    acd.ready("1021")
    assert assigned == ["p1"]  # the higher-priority queue first


async def test_the_configured_announcement_interval_paces_the_announcer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    section = configured("acd.queues.collections.announce_every_s=45")
    acd = Acd(settings=acd_settings(section))
    add_configured_queues(acd, section)
    acd.add_agent(AgentProfile("1021"))
    acd.enqueue("collections", "u1", channel="PJSIP/trunk-1")
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded_sleep(delay: float, *args: Any) -> None:
        pauses.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", recorded_sleep)
    channels, prompts = FakeChannels(), FakePrompts()
    speaker = QueueAnnouncer(acd, channels, prompts)
    speaker.start("u1", "PJSIP/trunk-1")
    await channels.until(1)
    speaker.played("PJSIP/trunk-1", "SUCCESS")
    await channels.until(2)
    await speaker.close()
    assert pauses[0] == 45.0


async def test_acd_from_db_takes_wrap_up_and_queues_from_the_configuration(
    sessions: async_sessionmaker[Any],
) -> None:
    section = configured(
        "acd.wrapup_s=25", "acd.queues.inbound.max_wait_s=90", "acd.queues.inbound.announce=false"
    )
    acd = await acd_from_db(sessions, section)
    try:
        assert acd.settings.wrapup_s == 25
        assert acd.queues.config("collections").announce_every_s == 30
        inbound = acd.queues.config("inbound")
        assert (inbound.max_wait_s, inbound.announce) == (90, False)
    finally:
        await acd.aclose()


def test_a_run_flag_overrides_the_configured_wrap_up() -> None:
    section = configured("acd.wrapup_s=25")
    assert acd_settings(section).wrapup_s == 25
    assert acd_settings(section, wrapup_s=5).wrapup_s == 5
