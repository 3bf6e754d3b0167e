"""GET /api/events: the LiveHub as Server-Sent Events.

Agents receive only the events about themselves (and events about no one in particular
are staff-only). A comment line every few seconds keeps proxies from closing the stream
and tells us when the browser went away.
"""

from __future__ import annotations

import json
import logging

from aiohttp import web

from dialer.web.auth import STAFF, Role, User, allow, current_user
from dialer.web.jsonout import plain
from dialer.web.keys import LIVE_KEY
from dialer.web.live import Event, EventFilter

log = logging.getLogger(__name__)
KEEPALIVE_S = 10.0


@allow(Role.ADMIN, Role.SUPERVISOR, Role.AGENT)
async def stream(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    await response.write(b"retry: 2000\n: connected\n\n")
    accept = None if user.role in STAFF else _own_events(user)
    async with request.app[LIVE_KEY].subscribe(accept) as sub:
        try:
            while True:
                item = await sub.next(KEEPALIVE_S)
                if item is None:
                    await response.write(b": keepalive\n\n")
                    continue
                event_id, event = item
                data = json.dumps(plain(event), ensure_ascii=False)
                kind = str(event.get("type", "message"))
                await response.write(f"id: {event_id}\nevent: {kind}\ndata: {data}\n\n".encode())
        except ConnectionAbortedError as exc:
            log.info("event stream of %s ended: %s", user.name, exc)
        except (ConnectionResetError, RuntimeError):
            pass  # the browser went away
    return response


def _own_events(user: User) -> EventFilter:
    def own(event: Event) -> bool:
        return event.get("login") == user.agent_login

    return own
