"""SIGKILL of a running `dialer campaign run`, then a restart: nothing dialled twice, every
attempt left in flight settled. Agent logins 1015-1018."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.campaign.demo_data import OutcomeMix, add_sim_debtors
from dialer.campaign.store import CampaignStatus, create_campaign, set_status
from dialer.db.models import CallAttempt
from tests.integration.campaign.test_campaign_sandbox import quick_settings

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")

MIX = OutcomeMix(
    human=0.7,
    machine=0.1,
    busy=0.1,
    no_answer=0,
    congestion=0.1,
    invalid=0,
    talk_min_s=4,
    talk_max_s=8,
)


async def start_dialer(sqlite_url: str, log: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "DIALER__DATABASE__URL": sqlite_url}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "dialer.cli",
        "campaign",
        "run",
        "restart",
        "--agents",
        "1015-1018",
        "--sim-agents",
        "--sim-results",
        "--until-done",
        "--wrapup",
        "3",
        env=env,
        stdout=log.open("ab"),
        stderr=asyncio.subprocess.STDOUT,
    )


async def count(sessions: async_sessionmaker[Any], *states: str) -> int:
    async with sessions() as s:
        query = select(func.count(CallAttempt.id))
        if states:
            query = query.where(CallAttempt.state.in_(states))
        return int(await s.scalar(query) or 0)


async def test_kill_and_restart_dials_nobody_twice(
    sessions: async_sessionmaker[Any], sqlite_url: str, tmp_path: Path
) -> None:
    campaign_id = await create_campaign(sessions, "restart", quick_settings(), "Bank Test")
    await add_sim_debtors(sessions, campaign_id, 20, MIX, seed=5, phones_per_debtor=(1,))
    await set_status(sessions, campaign_id, CampaignStatus.RUNNING)
    log = tmp_path / "dialer.log"
    first = await start_dialer(sqlite_url, log)
    try:
        # Kill it while calls are up (answered or connected), and after one has ended.
        async with asyncio.timeout(60):
            while (
                await count(sessions, "answered", "connected", "machine", "abandoned") < 2
                or await count(sessions, "ended") < 1
            ):
                await asyncio.sleep(0.2)
        in_flight_at_kill = await count(
            sessions,
            "decided",
            "originated",
            "ringing",
            "answered",
            "connected",
            "machine",
            "abandoned",
        )
    finally:
        first.send_signal(signal.SIGKILL)
        await first.wait()
    assert in_flight_at_kill >= 2
    second = await start_dialer(sqlite_url, log)
    try:
        async with asyncio.timeout(150):
            assert await second.wait() == 0, log.read_text()[-3000:]
    finally:
        if second.returncode is None:
            second.kill()
            await second.wait()

    # The restarted dialer picked up the campaign's pacing statistics where the first left them.
    assert "pacing resumes from" in log.read_text()
    async with sessions() as s:
        attempts = list((await s.execute(select(CallAttempt))).scalars())
    assert all(a.state == "ended" and a.outcome for a in attempts), "every attempt settled"
    phones = [a.phone_id for a in attempts]
    assert len(phones) == len(set(phones)) == 20, "each number dialled exactly once"
    # Calls the killed dialer had up were settled, not redialled.
    assert (
        sum(1 for a in attempts if a.outcome in ("lost", "connected", "machine", "abandoned")) >= 2
    )
