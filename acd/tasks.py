"""Background work of the ACD's PBX side: tasks that end with it, and AMI actions whose
failure is logged rather than raised (a caller being moved may already have hung up)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Tasks:
    """Tasks started by event handlers (which cannot await); all cancelled at stop."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def quietly(aw: Awaitable[object]) -> None:
    try:
        await aw
    except Exception as exc:
        log.warning("AMI action failed: %s", exc)
