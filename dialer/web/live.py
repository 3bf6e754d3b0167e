"""LiveHub: publish dict events from anywhere in the process; each SSE client reads a copy.

Every client has a bounded queue. A client that falls behind (queue full) is dropped
rather than slowing the dialer down: its stream ends and the browser reconnects.

Events the pages understand (all JSON-serialisable dicts with a "type"):
  agent_state  {login, name, state, since, reason?, allowance_s?, attempt_id?, debtor_id?}
  pacing       {campaign, at, ratio, abandon_pct?, predicted_abandon_pct?, mode?, dial?}
  campaign     {campaign, status}
  call         {login, debtor_id, attempt_id?, campaign?}   a debtor was connected to `login`
  call_ended   {login, attempt_id?}
  stats        {campaign}                                   counts changed; pages refetch
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)

Event = dict[str, Any]
EventFilter = Callable[[Event], bool]


class Subscription:
    def __init__(self, size: int, accept: EventFilter | None) -> None:
        self.queue: asyncio.Queue[tuple[int, Event]] = asyncio.Queue(maxsize=size)
        self.accept = accept
        self.dropped = asyncio.Event()
        self.closed = asyncio.Event()  # the server is shutting down

    async def next(self, timeout: float) -> tuple[int, Event] | None:
        """The next event, or None on timeout; raises ConnectionAbortedError once dropped."""
        if self.closed.is_set():
            raise ConnectionAbortedError("server shutting down")
        if self.dropped.is_set() and self.queue.empty():
            raise ConnectionAbortedError("client too slow, dropped")
        getter = asyncio.ensure_future(self.queue.get())
        closing = asyncio.ensure_future(self.closed.wait())
        try:
            done, _ = await asyncio.wait(
                {getter, closing}, timeout=timeout, return_when="FIRST_COMPLETED"
            )
        finally:
            closing.cancel()
            if not getter.done():
                getter.cancel()
        if getter in done:
            return getter.result()
        if self.closed.is_set():
            raise ConnectionAbortedError("server shutting down")
        if self.dropped.is_set():
            raise ConnectionAbortedError("client too slow, dropped")
        return None


class LiveHub:
    def __init__(self, queue_size: int = 256, history: int = 720) -> None:
        self.queue_size = queue_size
        # Recent pacing decisions, so a dashboard opened now can draw the last hour at once.
        self._history: deque[Event] = deque(maxlen=history)
        self._subscriptions: set[Subscription] = set()
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    @property
    def clients(self) -> int:
        return len(self._subscriptions)

    def publish(self, event: Event) -> None:
        """Hand `event` to every client; safe to call from the event loop or another thread."""
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        loop = self._loop
        if loop is not None and running is not loop:
            loop.call_soon_threadsafe(self._deliver, event)
        else:
            self._deliver(event)

    def recent(self) -> list[Event]:
        """The latest pacing events, oldest first."""
        return list(self._history)

    def _deliver(self, event: Event) -> None:
        with self._lock:
            event_id = next(self._ids)
        if event.get("type") == "pacing":
            self._history.append(event)
        for sub in list(self._subscriptions):
            if sub.dropped.is_set() or (sub.accept is not None and not sub.accept(event)):
                continue
            try:
                sub.queue.put_nowait((event_id, event))
            except asyncio.QueueFull:
                log.warning("live client dropped: %d events behind", sub.queue.qsize())
                sub.dropped.set()

    def close(self) -> None:
        """End every stream now (on server shutdown, so it need not wait for them)."""
        for sub in list(self._subscriptions):
            sub.closed.set()

    @asynccontextmanager
    async def subscribe(self, accept: EventFilter | None = None) -> AsyncIterator[Subscription]:
        self._loop = asyncio.get_running_loop()
        sub = Subscription(self.queue_size, accept)
        self._subscriptions.add(sub)
        try:
            yield sub
        finally:
            self._subscriptions.discard(sub)
