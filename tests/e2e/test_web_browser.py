"""The dashboard and the agent screen in headless Chromium, driven over DevTools."""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.db.models import Debtor
from dialer.db.types import utcnow
from dialer.web.cases import agent_view_dict
from dialer.web.live import LiveHub
from dialer.web.ports import AgentView
from tests.e2e.cdp import Page, browser_page, chromium_path
from tests.integration.web.web_env import CAMPAIGN, RunningApp, running_app


@pytest.fixture(autouse=True)
def chromium_installed() -> None:
    """CI (./dev test) installs chromium and must run these; elsewhere they may skip."""
    if chromium_path() is None:
        if os.environ.get("DIALER_REQUIRE_ASTERISK") == "1":
            pytest.fail("chromium is not installed (./dev installs it)")
        pytest.skip("chromium is not installed")


async def _sign_in(page: Page, url: str, name: str) -> None:
    await page.goto(f"{url}/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", name)
    await page.evaluate("document.querySelector('form.stack').submit()")
    await page.wait_for(
        "!location.pathname.startsWith('/login') && document.readyState === 'complete'"
    )


async def _until(condition: Any, what: str) -> None:
    for _ in range(3000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def _staff_the_floor(app: RunningApp) -> None:
    """Agents in every state, one of them 4 minutes over a 10-minute break."""
    now = utcnow()
    states = [
        ("1001", "on_call", 184, None, None),
        ("1002", "on_call", 47, None, None),
        ("1003", "ready", 12, None, None),
        ("1004", "wrap_up", 21, None, None),
        ("1005", "paused", 840, "break", 600),
        ("1006", "ready", 95, None, None),
        ("1007", "paused", 300, "lunch", 1800),
        ("1008", "on_call", 402, None, None),
    ]
    for login, state, seconds, reason, allowance in states:
        view = AgentView(
            login=login,
            name=app.desk.views[login].name,
            state=state,
            since=now - timedelta(seconds=seconds),
            reason=reason,
            allowance_s=allowance,
            debtor_id=app.seeded.debtor_ids[int(login[-1])] if state == "on_call" else None,
        )
        app.desk.views[login] = view
        app.live.publish({"type": "agent_state", **agent_view_dict(view)})


def _publish_pacing(
    live: LiveHub, campaign_id: int, ratio: float, abandon: float, at: float | None = None
) -> None:
    """As the campaign runner does: the campaign by id, the time in epoch seconds."""
    live.publish(
        {
            "type": "pacing",
            "campaign_id": campaign_id,
            "at": at or time.time(),
            "mode": "predictive",
            "ratio": ratio,
            "abandon_pct": abandon,
            "predicted_abandon_pct": abandon + 0.2,
            "target_abandon_pct": 3.0,
            "dial": 3,
            "reason": "2 agents free within 8 s, answer rate 41 %",
        }
    )


async def test_dashboard_shows_live_agents_and_controls_reach_the_runtime(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    async with running_app(sessions) as app, browser_page() as page:
        await _sign_in(page, app.url, "supervisor")
        # The last hour of pacing decisions, published before the page opens.
        now = time.time()
        for minute in range(60):
            wave = math.sin(minute / 7)
            ratio, abandon = 2.2 + 0.5 * wave, 1.8 + 0.4 * math.sin(minute / 15)
            _publish_pacing(
                app.live, app.seeded.campaign_id, ratio, abandon, now - 60 * (60 - minute)
            )
        await page.goto(f"{app.url}/?campaign={CAMPAIGN}")
        await page.wait_for("window.pacingChart.points.length === 60")
        await page.wait_for(
            "document.querySelector('[data-kpi=dialled] .value').textContent !== '–'"
        )
        await _until(lambda: app.live.clients >= 1, "the dashboard's event stream")
        await page.wait_for("document.querySelector('#stream').classList.contains('on')")
        # The pacing settings are loaded (so a later snapshot cannot overwrite live ones).
        await page.wait_for("document.querySelector('#controls [name=max_ratio]').value !== ''")
        _staff_the_floor(app)
        await page.wait_for(
            "document.querySelector('#agents tr[data-login=\"1003\"][data-state=ready]')"
        )
        # Events arrive one by one: wait for the last agent, then check the overrun flag.
        await page.wait_for(
            "document.querySelectorAll('#agents tbody tr[data-login]').length === 8"
        )
        await page.wait_for("document.querySelectorAll('#agents tr.overrun').length === 1")
        app.live.publish(
            {
                "type": "agent_state",
                **agent_view_dict(
                    AgentView(
                        "1003",
                        app.seeded.agent_names["1003"],
                        "on_call",
                        utcnow(),
                        debtor_id=5,
                    )
                ),
            }
        )
        await page.wait_for(
            "document.querySelector('#agents tr[data-login=\"1003\"][data-state=on_call]')"
        )
        _publish_pacing(app.live, app.seeded.campaign_id, 2.4, 2.6)
        await page.wait_for(
            "document.querySelector('#decision').textContent.includes('ratio 2.40')"
        )
        await page.click("button[data-action=start]")
        await _until(lambda: ("start", CAMPAIGN) in app.controls.calls, "the start control")
        await page.wait_for(
            "document.querySelector('#control-message').textContent.includes('start')"
        )
        await page.wait_for("document.querySelector('#campaign-status').textContent === 'running'")
        await page.fill("input[name=target_abandon_pct]", "2.5")
        await page.evaluate("document.querySelector('#controls').requestSubmit()")
        await _until(lambda: ("set_pacing", CAMPAIGN) in app.controls.calls, "the pacing form")
        assert app.controls.views[CAMPAIGN].target_abandon_pct == 2.5
        await _save_screenshot(page, tmp_path / "dashboard.png")


async def test_agent_screen_shows_pushed_case_and_saves_a_promise(
    sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    async with running_app(sessions) as app, browser_page(1280, 900) as page:
        await _sign_in(page, app.url, "agent1001")
        assert await page.evaluate("location.pathname") == "/agent/1001"
        await _until(lambda: app.live.clients >= 1, "the agent's event stream")
        await page.wait_for("document.querySelector('#stream').classList.contains('on')")
        debtor_id = app.seeded.debtor_ids[3]
        async with sessions() as session:
            debtor = (
                await session.execute(select(Debtor).where(Debtor.id == debtor_id))
            ).scalar_one()
        app.live.publish({"type": "call", "login": "1002", "debtor_id": app.seeded.debtor_ids[9]})
        app.live.publish({"type": "call", "login": "1001", "debtor_id": debtor_id})
        await page.wait_for("document.querySelector('#case-name').textContent !== ''")
        assert await page.text("#case-name") == f"{debtor.first_name} {debtor.last_name}"
        assert await page.text("#case-account") == debtor.account_id
        await page.fill("input[name=amount]", "350.00")
        await page.fill("input[name=promised_date]", "2026-12-15")
        await page.wait_for("!document.querySelector('#submit-result').disabled")
        await page.click("#submit-result")
        await page.wait_for(
            "document.querySelector('#result-message').textContent.includes('Saved')"
        )
        [(login, disposition)] = app.desk.dispositions
        assert (login, disposition.debtor_id, str(disposition.amount)) == (
            "1001",
            debtor_id,
            "350.00",
        )
        await page.wait_for(
            "document.querySelector('#case-history tbody').textContent.includes('Promise to pay')"
        )
        await _save_screenshot(page, tmp_path / "agent.png")


async def _save_screenshot(page: Page, path: Path) -> None:
    await page.screenshot(path)
    assert path.stat().st_size > 10_000
    keep = os.environ.get("DIALER_E2E_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
