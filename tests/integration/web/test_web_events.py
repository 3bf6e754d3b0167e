"""The Server-Sent Events stream over a real connection."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.integration.web.web_env import basic, running_app

TIMEOUT = aiohttp.ClientTimeout(total=30)


async def _read_event(response: aiohttp.ClientResponse) -> tuple[str, dict[str, Any]]:
    kind, data = "", ""
    while True:
        line = (await asyncio.wait_for(response.content.readline(), 20)).decode().rstrip("\n")
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and data:
            return kind, json.loads(data)


async def _wait_for_clients(live: Any, count: int) -> None:
    for _ in range(2000):
        if live.clients >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the event stream never subscribed")


async def test_supervisor_sees_everything_agent_only_own(
    sessions: async_sessionmaker[Any],
) -> None:
    async with running_app(sessions) as app, aiohttp.ClientSession(timeout=TIMEOUT) as http:
        sup = await http.get(f"{app.url}/api/events", headers=basic("supervisor", "supervisor"))
        agent = await http.get(f"{app.url}/api/events", headers=basic("agent1001", "agent1001"))
        try:
            assert sup.headers["Content-Type"] == "text/event-stream"
            await _wait_for_clients(app.live, 2)
            app.live.publish({"type": "call", "login": "1002", "debtor_id": 1})
            app.live.publish({"type": "call", "login": "1001", "debtor_id": 2})
            app.live.publish({"type": "pacing", "campaign": "x", "ratio": 1.5})
            assert await _read_event(sup) == (
                "call",
                {"type": "call", "login": "1002", "debtor_id": 1},
            )
            assert (await _read_event(sup))[1]["debtor_id"] == 2
            assert (await _read_event(sup))[0] == "pacing"
            assert await _read_event(agent) == (
                "call",
                {"type": "call", "login": "1001", "debtor_id": 2},
            )
        finally:
            sup.close()
            agent.close()


async def test_agent_state_change_is_streamed(sessions: async_sessionmaker[Any]) -> None:
    async with running_app(sessions) as app, aiohttp.ClientSession(timeout=TIMEOUT) as http:
        auth = basic("supervisor", "supervisor")
        stream = await http.get(f"{app.url}/api/events", headers=auth)
        try:
            await _wait_for_clients(app.live, 1)
            url = f"{app.url}/api/agents/1005/state"
            async with http.post(
                url, json={"action": "pause", "reason": "lunch"}, headers=auth
            ) as r:
                assert r.status == 200
            kind, event = await _read_event(stream)
            assert (kind, event["login"], event["state"], event["reason"]) == (
                "agent_state",
                "1005",
                "paused",
                "lunch",
            )
        finally:
            stream.close()


async def test_server_shutdown_ends_open_streams(sessions: async_sessionmaker[Any]) -> None:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        async with running_app(sessions) as app:
            stream = await http.get(
                f"{app.url}/api/events", headers=basic("supervisor", "supervisor")
            )
            await _wait_for_clients(app.live, 1)
        # The server stopped without waiting for the client: the stream has ended.
        try:
            rest = await asyncio.wait_for(stream.content.read(), 20)
            assert b"event:" not in rest
            assert stream.content.at_eof()
        finally:
            stream.close()
