"""Simulated agents' behaviour, for the demo: people at their desks, not robots.

After each call an agent wraps up for a few seconds and presses "ready" (before the ACD's
wrap-up timer would); now and then they take a break instead, and come back after it.
An agent who has just logged in becomes ready after a moment. Driven by the ACD's own
events, so the same code works with real or simulated phones.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from acd.agent_state import LOGIN_PAUSE, AgentState
from acd.errors import AcdError
from acd.facade import Acd

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BehaviourSettings:
    ready_after_login_s: float = 1.0
    wrapup_s: tuple[float, float] = (2.0, 6.0)  # uniform range
    break_probability: float = 0.05  # after a call
    break_s: tuple[float, float] = (20.0, 60.0)
    break_reason: str = "break"


class AgentBehaviour:
    def __init__(
        self,
        acd: Acd,
        logins: Iterable[str],
        settings: BehaviourSettings | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.acd = acd
        self.logins = set(logins)
        self.settings = settings or BehaviourSettings()
        self.rng = rng or random.Random()
        self.breaks_taken = 0
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        self._unsubscribe = self.acd.subscribe(self._on_event)

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    def _on_event(self, event: dict[str, Any]) -> None:
        login = event.get("login")
        if event.get("type") != "agent_state" or login not in self.logins:
            return
        assert isinstance(login, str)
        state, reason = event.get("state"), event.get("reason")
        s = self.settings
        if state == AgentState.WRAP_UP.value and event.get("event") == "call_ended":
            self._later(login, self.rng.uniform(*s.wrapup_s), self._after_call)
        elif state == AgentState.PAUSED.value and reason == LOGIN_PAUSE:
            self._later(login, s.ready_after_login_s, self._ready)
        elif state == AgentState.PAUSED.value and reason == s.break_reason:
            self._later(login, self.rng.uniform(*s.break_s), self._ready)

    def _later(self, login: str, delay: float, action: Callable[[str], None]) -> None:
        async def run() -> None:
            await asyncio.sleep(delay)
            self._tasks.pop(login, None)
            try:
                action(login)
            except AcdError as exc:  # the agent's state moved on meanwhile
                log.debug("simulated agent %s: %s", login, exc)

        previous = self._tasks.pop(login, None)
        if previous is not None:
            previous.cancel()
        self._tasks[login] = asyncio.get_running_loop().create_task(run())

    def _after_call(self, login: str) -> None:
        if self.acd.state_of(login) is not AgentState.WRAP_UP:
            return
        if self.rng.random() < self.settings.break_probability:
            self.breaks_taken += 1
            self.acd.pause(login, self.settings.break_reason)
        else:
            self.acd.wrapup_done(login)

    def _ready(self, login: str) -> None:
        if self.acd.state_of(login) is AgentState.PAUSED:
            self.acd.ready(login)
