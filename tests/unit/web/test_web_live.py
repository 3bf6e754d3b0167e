from __future__ import annotations

import asyncio
import threading

import pytest

from dialer.web.live import LiveHub


async def test_every_subscriber_gets_each_event_in_order() -> None:
    hub = LiveHub()
    async with hub.subscribe() as first, hub.subscribe() as second:
        hub.publish({"type": "a"})
        hub.publish({"type": "b"})
        for sub in (first, second):
            got = [await sub.next(5), await sub.next(5)]
            assert [item[1] for item in got if item] == [{"type": "a"}, {"type": "b"}]
    assert hub.clients == 0


async def test_filter_and_timeout() -> None:
    hub = LiveHub()
    async with hub.subscribe(lambda e: e.get("login") == "agent1001") as sub:
        hub.publish({"type": "call", "login": "agent1002"})
        hub.publish({"type": "call", "login": "agent1001"})
        item = await sub.next(5)
        assert item is not None and item[1]["login"] == "agent1001"
        assert await sub.next(0.01) is None


async def test_slow_client_is_dropped_others_keep_going() -> None:
    hub = LiveHub(queue_size=3)
    async with hub.subscribe() as slow, hub.subscribe() as fast:
        for n in range(3):
            hub.publish({"n": n})
        for _ in range(3):
            await fast.next(5)
        hub.publish({"n": 3})  # the slow client's queue is full now
        assert slow.dropped.is_set()
        item = await fast.next(5)
        assert item is not None and item[1] == {"n": 3}
        for _ in range(3):
            await slow.next(5)  # what it had queued is still delivered
        with pytest.raises(ConnectionAbortedError):
            await slow.next(5)


async def test_publish_from_another_thread() -> None:
    hub = LiveHub()
    async with hub.subscribe() as sub:
        thread = threading.Thread(target=hub.publish, args=({"type": "from-thread"},))
        thread.start()
        await asyncio.to_thread(thread.join)
        item = await sub.next(20)
        assert item is not None and item[1] == {"type": "from-thread"}


def test_recent_pacing_events_are_kept_for_new_dashboards() -> None:
    hub = LiveHub(history=2)
    for n in range(3):
        hub.publish({"type": "pacing", "n": n})
    hub.publish({"type": "agent_state"})
    assert hub.recent() == [{"type": "pacing", "n": 1}, {"type": "pacing", "n": 2}]


async def test_close_ends_waiting_streams() -> None:
    hub = LiveHub()
    async with hub.subscribe() as sub:
        waiting = asyncio.create_task(sub.next(60))
        await asyncio.sleep(0)
        hub.close()
        with pytest.raises(ConnectionAbortedError):
            await asyncio.wait_for(waiting, 20)
