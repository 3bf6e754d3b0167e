"""A queue configured in [acd] is the one the dialer process runs on the sandbox."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.campaign.service import open_process
from dialer.config import load_settings
from dialer.pbx.actions import OriginateRequest
from dialer.pbx.simnumbers import SimOutcome, dial_string, sim_number

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")

WAIT_S = 30.0


async def test_a_configured_wait_limit_and_treatment_move_the_caller(
    sessions: async_sessionmaker[Any],
) -> None:
    settings = load_settings(
        overrides=[
            "acd.wrapup_s=4",
            "acd.queues.acdcfg.max_wait_s=1",
            "acd.queues.acdcfg.treatment=callback",
            "acd.queues.acdcfg.announce=false",
        ],
        environ={},
    )
    events: list[dict[str, Any]] = []
    changed = asyncio.Event()

    def seen(event: dict[str, Any]) -> None:
        events.append(event)
        changed.set()

    process = await open_process(settings, sessions, publish=seen)
    try:
        assert process.acd.settings.wrapup_s == 4
        number = sim_number(SimOutcome.HUMAN, 30, 931)
        await process.link.originate(
            OriginateRequest(
                "acd-cfg-931",
                dial_string(number),
                "acd-queue",
                "acdcfg",
                variables={"DIALER_WAIT": "60"},
            )
        )
        # Nobody is logged in: after the configured second the ACD gives the caller the
        # configured treatment, whose dialplan asks for a callback.
        async with asyncio.timeout(WAIT_S):
            while not any(
                e["type"] == "callback_requested" and e["queue"] == "acdcfg" for e in events
            ):
                changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), 0.5)
        treated = [e for e in events if e["type"] == "queue_treatment"]
        assert [(e["queue"], e["treatment"]) for e in treated] == [("acdcfg", "callback")]
    finally:
        await process.close()
