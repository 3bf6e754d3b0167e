"""The web's CampaignControls: start/pause/resume/stop and live pacing of loaded campaigns.

Status changes go through Campaign.status, which every runner follows, so a campaign run by
another process (or by `dialer campaign run`) is steered the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.campaign.runner import CampaignRunner
from dialer.campaign.settings import DialMode
from dialer.campaign.store import (
    CampaignStatus,
    UnknownCampaign,
    find_campaign,
    get_status,
    set_status,
)
from dialer.db.types import utcnow
from dialer.pacing.settings import PacingMode
from dialer.web.ports import ControlError, PacingUpdate, PacingView

log = logging.getLogger(__name__)

# Starts a runner for a campaign not yet loaded in this process (the demo provides one).
Launcher = Callable[[int], Awaitable[CampaignRunner | None]]


class CampaignControlPanel:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], launcher: Launcher | None = None
    ) -> None:
        self._sessions = sessions
        self._launcher = launcher
        self.runners: dict[str, CampaignRunner] = {}

    def attach(self, name: str, runner: CampaignRunner) -> None:
        self.runners[name] = runner

    async def _id(self, campaign: str) -> int:
        try:
            async with self._sessions() as session:
                return (await find_campaign(session, campaign)).id
        except UnknownCampaign as exc:
            raise ControlError(str(exc)) from exc

    async def _set(
        self, campaign: str, status: CampaignStatus, allowed: set[CampaignStatus]
    ) -> None:
        campaign_id = await self._id(campaign)
        current = await get_status(self._sessions, campaign_id)
        if current not in allowed:
            raise ControlError(
                f"campaign {campaign} is {current.value}: cannot make it {status.value}"
            )
        runner = self.runners.get(campaign)
        if runner is not None:
            await runner.set_status(status)
        else:
            await set_status(self._sessions, campaign_id, status)
        log.info("campaign %s: %s -> %s", campaign, current.value, status.value)

    async def start(self, campaign: str) -> None:
        S = CampaignStatus
        await self._set(campaign, S.RUNNING, {S.STOPPED, S.FINISHED, S.PAUSED})
        if campaign not in self.runners and self._launcher is not None:
            runner = await self._launcher(await self._id(campaign))
            if runner is not None:
                self.runners[campaign] = runner

    async def pause(self, campaign: str) -> None:
        await self._set(campaign, CampaignStatus.PAUSED, {CampaignStatus.RUNNING})

    async def resume(self, campaign: str) -> None:
        await self._set(campaign, CampaignStatus.RUNNING, {CampaignStatus.PAUSED})

    async def stop(self, campaign: str) -> None:
        S = CampaignStatus
        await self._set(campaign, S.STOPPED, {S.RUNNING, S.PAUSED, S.STOPPED, S.FINISHED})

    async def set_pacing(self, campaign: str, update: PacingUpdate) -> PacingView:
        runner = self.runners.get(campaign)
        if runner is None:
            raise ControlError(f"campaign {campaign} is not running in this process")
        pacing = runner.engine.settings
        try:
            if update.mode is not None:
                pacing.mode = PacingMode(update.mode)
                runner.settings = runner.settings.model_copy(
                    update={"dial_mode": DialMode(update.mode)}
                )
                runner.flow.settings = runner.hopper.settings = runner.settings
            if update.target_abandon_pct is not None:
                pacing.target_abandon = update.target_abandon_pct / 100
            if update.max_ratio is not None:
                pacing.max_ratio = update.max_ratio
            if update.intensity is not None:
                pacing.intensity = update.intensity
        except ValueError as exc:
            raise ControlError(f"pacing not changed: {exc}") from exc
        view = self.pacing(campaign)
        assert view is not None
        return view

    def pacing(self, campaign: str) -> PacingView | None:
        runner = self.runners.get(campaign)
        if runner is None:
            return None
        s = runner.engine.settings
        d = runner.figures.last_decision
        return PacingView(
            campaign=campaign,
            status=runner.status.value,
            mode=s.mode.value,
            target_abandon_pct=100 * s.target_abandon,
            max_ratio=s.max_ratio,
            intensity=s.intensity,
            ratio=d.ratio if d else 0.0,
            predicted_abandon_pct=100 * d.predicted_abandon if d else 0.0,
            abandon_pct=100 * runner.stats.abandon_rate,
            dial=d.dial if d else 0,
            reason=d.reason if d else "not started",
            at=utcnow(),
        )
