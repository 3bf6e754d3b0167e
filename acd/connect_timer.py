"""Answer → bridged timing: how long a debtor waits between "hello?" and the agent.

`expect` is called just before the Redirect; the debtor's ConfbridgeJoin into the
agent's conference completes the measurement. Figures are kept in a bounded window.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from dialer.db.types import utcnow

Measured = tuple[float | None, float | None]  # (answer -> bridged, redirect -> bridged)


@dataclass(frozen=True)
class ConnectStats:
    count: int
    median_s: float | None  # answer -> debtor in the agent's bridge
    p95_s: float | None
    redirect_median_s: float | None  # redirect sent -> debtor in the bridge


@dataclass
class _Expected:
    login: str
    answered_at: datetime
    redirected: float  # monotonic
    future: asyncio.Future[Measured]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class ConnectTimer:
    def __init__(self, window: int = 2000) -> None:
        self._expected: dict[str, _Expected] = {}
        self.answer_to_bridge: deque[float] = deque(maxlen=window)
        self.redirect_to_bridge: deque[float] = deque(maxlen=window)

    def expect(self, channel: str, login: str, answered_at: datetime) -> asyncio.Future[Measured]:
        future: asyncio.Future[Measured] = asyncio.get_running_loop().create_future()
        self._expected[channel] = _Expected(login, answered_at, time.monotonic(), future)
        return future

    def cancel(self, channel: str) -> None:
        expected = self._expected.pop(channel, None)
        if expected is not None and not expected.future.done():
            expected.future.cancel()

    def fail(self, channel: str, error: Exception) -> None:
        """The debtor will not join (e.g. the agent's bridge was empty)."""
        expected = self._expected.pop(channel, None)
        if expected is not None and not expected.future.done():
            expected.future.set_exception(error)

    def joined(self, channel: str, conference: str) -> None:
        expected = self._expected.get(channel)
        if expected is None or conference != f"agent-{expected.login}":
            return
        del self._expected[channel]
        from_redirect = time.monotonic() - expected.redirected
        from_answer = max(0.0, (utcnow() - expected.answered_at).total_seconds())
        self.answer_to_bridge.append(from_answer)
        self.redirect_to_bridge.append(from_redirect)
        if not expected.future.done():
            expected.future.set_result((from_answer, from_redirect))

    def stats(self) -> ConnectStats:
        answer = list(self.answer_to_bridge)
        redirect = list(self.redirect_to_bridge)
        return ConnectStats(
            len(answer),
            statistics.median(answer) if answer else None,
            p95(answer) if answer else None,
            statistics.median(redirect) if redirect else None,
        )
