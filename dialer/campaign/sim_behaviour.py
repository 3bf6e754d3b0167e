"""Simulated agents' behaviour: after each call, a realistic result form through the AgentDesk.

The demo and the sandbox tests use it so script results, promises and callbacks flow through
exactly the path a person's clicks take.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from dialer.db.outcomes import ResultKind
from dialer.db.types import utcnow
from dialer.web.ports import AgentDesk, Disposition

log = logging.getLogger(__name__)

# Share of each result an agent records after a conversation.
RESULT_MIX: tuple[tuple[ResultKind, float], ...] = (
    (ResultKind.PROMISE_TO_PAY, 0.35),
    (ResultKind.REFUSAL, 0.2),
    (ResultKind.CALLBACK, 0.15),
    (ResultKind.DISPUTE, 0.08),
    (ResultKind.WRONG_PARTY, 0.1),
    (ResultKind.PAID_ALREADY, 0.12),
)


def random_disposition(rng: random.Random, debtor_id: int, attempt_id: int | None) -> Disposition:
    kinds, weights = zip(*RESULT_MIX, strict=True)
    kind = rng.choices(kinds, weights)[0]
    today = utcnow().date()
    if kind is ResultKind.PROMISE_TO_PAY:
        return Disposition(
            debtor_id,
            kind,
            attempt_id,
            amount=Decimal(rng.randrange(50, 2000, 10)),
            promised_date=today + timedelta(days=rng.randint(1, 30)),
            note="promised on the phone",
        )
    if kind is ResultKind.CALLBACK:
        return Disposition(
            debtor_id,
            kind,
            attempt_id,
            callback_at=utcnow() + timedelta(hours=rng.randint(2, 48)),
            callback_to_me=rng.random() < 0.5,
            note="asked to be called back",
        )
    return Disposition(debtor_id, kind, attempt_id, note=f"simulated: {kind.value}")


class SimAgentBehaviour:
    """Listens to the runner's events; `call_ended` -> a result form after a short pause."""

    def __init__(
        self,
        desk: AgentDesk,
        seed: int = 7,
        think_s: tuple[float, float] = (1.0, 4.0),
        fill_share: float = 0.9,
    ) -> None:
        self.desk = desk
        self.rng = random.Random(seed)
        self.think_s = think_s
        self.fill_share = fill_share  # the rest let the wrap-up timer run out
        self.submitted = 0
        self.failed = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("type") != "call_ended" or event.get("debtor_id") is None:
            return
        if self.rng.random() > self.fill_share:
            return
        task = asyncio.get_running_loop().create_task(
            self._fill(str(event["login"]), int(event["debtor_id"]), event.get("attempt_id"))
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fill(self, login: str, debtor_id: int, attempt_id: int | None) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think_s))
        try:
            await self.desk.submit_disposition(
                login, random_disposition(self.rng, debtor_id, attempt_id)
            )
            self.submitted += 1
        except Exception as exc:
            self.failed += 1
            log.warning("simulated agent %s: disposition failed: %s", login, exc)

    async def drain(self, timeout_s: float = 10.0) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
