"""The AgentDesk and CampaignControls the web uses, on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from acd import Acd, AgentProfile
from dialer.campaign.controls import CampaignControlPanel
from dialer.campaign.demo_data import add_sim_debtors
from dialer.campaign.desk import CampaignAgentDesk
from dialer.campaign.runner import CampaignRunner
from dialer.campaign.settings import CampaignSettings
from dialer.campaign.store import CampaignStatus, create_campaign, get_status
from dialer.db.models import CallAttempt, Debtor, Phone, ScriptResult
from dialer.db.outcomes import ResultKind
from dialer.web.ports import AgentDesk, CampaignControls, ControlError, Disposition, PacingUpdate
from tests.unit.campaign.fakepbx import FakeConnector, FakePbx


async def debtors(sessions: async_sessionmaker[Any], n: int) -> tuple[int, list[Debtor]]:
    campaign_id = await create_campaign(sessions, "desk", CampaignSettings())
    await add_sim_debtors(sessions, campaign_id, n, phones_per_debtor=(2,))
    async with sessions() as s:
        rows = list((await s.execute(select(Debtor).order_by(Debtor.id))).scalars())
    return campaign_id, rows


async def test_dispositions_drive_the_next_step(sessions: async_sessionmaker[Any]) -> None:
    campaign_id, rows = await debtors(sessions, 4)
    acd = Acd()
    acd.add_agent(AgentProfile("5"))
    desk = CampaignAgentDesk(sessions, acd)
    assert isinstance(desk, AgentDesk)
    await desk.login("5")
    await desk.ready("5")
    async with sessions() as s, s.begin():
        phone = (
            await s.execute(select(Phone).where(Phone.debtor_id == rows[2].id, Phone.position == 1))
        ).scalar_one()
        attempt = CallAttempt(
            campaign_id=campaign_id,
            debtor_id=rows[2].id,
            phone_id=phone.id,
            number_e164=phone.number_e164,
            action_id="x1",
            state="ended",
            outcome="connected",
        )
        s.add(attempt)
    promised = date.today() + timedelta(days=10)
    result_id = await desk.submit_disposition(
        "5",
        Disposition(
            rows[0].id, ResultKind.PROMISE_TO_PAY, amount=Decimal("250.00"), promised_date=promised
        ),
    )
    await desk.submit_disposition("5", Disposition(rows[1].id, ResultKind.DISPUTE))
    await desk.submit_disposition(
        "5", Disposition(rows[2].id, ResultKind.WRONG_PARTY, attempt_id=attempt.id)
    )
    with pytest.raises(ControlError):
        await desk.submit_disposition("5", Disposition(rows[3].id, ResultKind.PROMISE_TO_PAY))
    async with sessions() as s:
        result = await s.get(ScriptResult, result_id)
        d0, d1, d2 = [await s.get(Debtor, r.id) for r in rows[:3]]
        bad = await s.get(Phone, phone.id)
    assert result is not None and result.amount == Decimal("250.00") and result.source == "agent"
    assert d0 is not None and d0.status == "promised"
    assert d0.next_call_at is not None and d0.next_call_at.date() > promised
    assert d1 is not None and d1.status == "disputed"
    assert d2 is not None and d2.status == "ready" and bad is not None and bad.bad
    assert [a.login for a in desk.agents()] == ["5"]
    await acd.aclose()


async def test_controls_follow_and_steer_the_campaign(sessions: async_sessionmaker[Any]) -> None:
    campaign_id, _ = await debtors(sessions, 1)
    panel = CampaignControlPanel(sessions)
    assert isinstance(panel, CampaignControls)
    await panel.start("desk")
    assert await get_status(sessions, campaign_id) is CampaignStatus.RUNNING
    with pytest.raises(ControlError):
        await panel.resume("desk")
    await panel.pause("desk")
    await panel.resume("desk")
    await panel.stop("desk")
    assert await get_status(sessions, campaign_id) is CampaignStatus.STOPPED
    assert panel.pacing("desk") is None
    pbx = FakePbx()
    runner = CampaignRunner(
        sessions, campaign_id, CampaignSettings(), pbx, Acd(), FakeConnector(pbx)
    )
    panel.attach("desk", runner)
    view = await panel.set_pacing("desk", PacingUpdate(target_abandon_pct=2.0, max_ratio=2.5))
    assert view.target_abandon_pct == pytest.approx(2.0) and view.max_ratio == 2.5
    with pytest.raises(ControlError):
        await panel.set_pacing("desk", PacingUpdate(target_abandon_pct=90.0))
    with pytest.raises(ControlError):
        await panel.start("nope")
    assert datetime.now(UTC) > view.at - timedelta(seconds=5)
