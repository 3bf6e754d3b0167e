"""Queue announcements: what a waiting caller is told, when, and never after they leave."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from acd import Acd, AgentProfile, QueueConfig, QueueStatus
from acd.announcer import ANNOUNCE_VARIABLE, QueueAnnouncer, announcement_text


def status(position: int, wait_s: float) -> QueueStatus:
    return QueueStatus("u1", "inbound", position, wait_s)


def test_the_caller_is_told_position_and_wait_in_plain_english() -> None:
    first = announcement_text(status(1, 20), first=True)
    assert first == (
        "Thank you for calling. All our consultants are busy at the moment. "
        "You are next in the queue. Your estimated waiting time is less than one minute. "
        "Please stay on the line."
    )
    later = announcement_text(status(3, 130), first=False)
    assert later == (
        "You are number 3 in the queue. Your estimated waiting time is about 3 minutes. "
        "Thank you for your patience."
    )
    assert "more than 30 minutes" in announcement_text(status(40, 4000), first=False)


class FakeChannels:
    def __init__(self) -> None:
        self.set: list[tuple[str, str, str]] = []
        self.changed = asyncio.Event()

    async def set_var(self, channel: str, name: str, value: str) -> None:
        self.set.append((channel, name, value))
        self.changed.set()

    async def until(self, count: int) -> None:
        async with asyncio.timeout(10):
            while len(self.set) < count:
                self.changed.clear()
                await self.changed.wait()


class FakePrompts:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.gate: asyncio.Event | None = None  # hold renders until set
        self.closed = False

    async def sound_for(self, text: str, voice: str) -> str:
        if self.gate is not None:
            await self.gate.wait()
        self.texts.append(text)
        return f"dialer/cache/tts-{voice}-{len(self.texts)}"

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def acd() -> Acd:
    acd = Acd()
    acd.add_agent(AgentProfile("1021"))
    return acd


def announcer(acd: Acd) -> tuple[QueueAnnouncer, FakeChannels, FakePrompts]:
    channels, prompts = FakeChannels(), FakePrompts()
    return QueueAnnouncer(acd, channels, prompts), channels, prompts


async def test_announced_on_entry_then_again_after_each_played_announcement(acd: Acd) -> None:
    acd.add_queue(QueueConfig("inbound", announce_every_s=0.01))
    events: list[dict[str, Any]] = []
    acd.subscribe(events.append)
    acd.enqueue("inbound", "u1", channel="PJSIP/trunk-1")
    speaker, channels, prompts = announcer(acd)
    speaker.start("u1", "PJSIP/trunk-1")
    await channels.until(1)
    assert channels.set == [("PJSIP/trunk-1", ANNOUNCE_VARIABLE, "dialer/cache/tts-en-1")]
    assert prompts.texts[0].startswith("Thank you for calling.")
    speaker.played("PJSIP/trunk-1", "STARTED")  # still playing: not yet
    speaker.played("PJSIP/trunk-1", "SUCCESS")
    await channels.until(2)
    assert prompts.texts[1].startswith("You are next in the queue.")
    told = [e for e in events if e["type"] == "queue_announced"]
    assert [e["sound"] for e in told] == ["dialer/cache/tts-en-1", "dialer/cache/tts-en-2"]
    await speaker.close()
    assert prompts.closed


async def test_a_call_that_left_the_queue_is_not_announced(acd: Acd) -> None:
    acd.add_queue(QueueConfig("inbound"))
    acd.enqueue("inbound", "u1", channel="PJSIP/trunk-1")
    speaker, channels, prompts = announcer(acd)
    prompts.gate = asyncio.Event()
    speaker.start("u1", "PJSIP/trunk-1")
    await asyncio.sleep(0)  # the render has begun
    acd.dequeue("u1")  # the caller hung up (or an agent took the call) meanwhile
    prompts.gate.set()
    await speaker.close()
    assert channels.set == []


async def test_queues_can_stay_silent(acd: Acd) -> None:
    acd.add_queue(QueueConfig("inbound", announce=False))
    acd.enqueue("inbound", "u1", channel="PJSIP/trunk-1")
    speaker, channels, prompts = announcer(acd)
    speaker.start("u1", "PJSIP/trunk-1")
    await asyncio.sleep(0.05)
    await speaker.close()
    assert channels.set == [] and prompts.texts == []
