"""The campaign loop: every tick, ask pacing how many to dial, claim them, originate.

One CampaignRunner per campaign per process. It follows Campaign.status in the database, so
`dialer campaign pause|resume|stop` and the web controls steer a running campaign from
anywhere. Several processes (on PostgreSQL) may run the same campaign: the hopper's claims
keep them apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from acd import Acd
from dialer.campaign.calls import CallFlow
from dialer.campaign.hopper import Hopper
from dialer.campaign.ports import AgentConnector, CallControl, Publish, no_publish
from dialer.campaign.reconcile import Reconciler
from dialer.campaign.recorder import AttemptRecorder
from dialer.campaign.remaining import anything_left
from dialer.campaign.settings import CampaignSettings, DialMode
from dialer.campaign.store import CampaignStatus, get_status, set_status
from dialer.campaign.warm_start import restore_stats
from dialer.pacing.engine import PacingDecision, PacingEngine, PacingSnapshot
from dialer.pacing.settings import PacingMode, PacingSettings
from dialer.pacing.stats import PacingStats

log = logging.getLogger(__name__)
STATUS_POLL_S = 1.0


def pacing_settings(settings: CampaignSettings) -> PacingSettings:
    """The pacing engine's settings: the campaign's mode plus its [pacing] table."""
    values = {**settings.pacing, "mode": PacingMode(settings.dial_mode.value)}
    values.setdefault("connect_window_s", settings.connect_timeout_s)
    return PacingSettings.model_validate(values)


@dataclass
class RunnerFigures:
    ticks: int = 0
    dialled: int = 0
    last_decision: PacingDecision | None = None
    empty_hopper_ticks: int = 0
    hopper_dry: bool = False  # the last claim got nothing though pacing asked for calls


class CampaignRunner:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        campaign_id: int,
        settings: CampaignSettings,
        pbx: CallControl,
        acd: Acd,
        connector: AgentConnector | None,
        publish: Publish = no_publish,
        variables: dict[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.campaign_id = campaign_id
        self.settings = settings
        self.acd = acd
        self.publish = publish
        self.clock = clock
        self.stats = PacingStats()
        self.engine = PacingEngine(pacing_settings(settings))
        self.hopper = Hopper(sessions, campaign_id, settings)
        self.recorder = AttemptRecorder(sessions, settings)
        self.flow = CallFlow(
            campaign_id,
            settings,
            self.recorder,
            pbx,
            acd,
            connector,
            self.stats,
            publish,
            variables,
            clock,
        )
        self.reconciler = Reconciler(campaign_id, self.recorder, pbx)
        self.figures = RunnerFigures()
        self.status = CampaignStatus.STOPPED
        self._pbx = pbx
        self._subscribed = False
        self._stopping = asyncio.Event()

    # ----- life cycle -----------------------------------------------------------------
    async def prepare(self) -> None:
        """Subscribe to PBX events, settle what a previous run left in flight, and pick up
        the statistics where it left them."""
        if self._subscribed:
            return
        self._pbx.subscribe(self.flow.on_event)
        self._subscribed = True
        await self.reconciler.settle_leftovers()
        learnt = await restore_stats(
            self.sessions,
            self.campaign_id,
            self.stats,
            self.clock(),
            self.acd.settings.wrapup_s,
            self.settings.amd_false_positive_rate,
        )
        if learnt:
            log.info(
                "campaign %s: pacing resumes from %d stored attempts (abandon rate %.2f %%)",
                self.campaign_id,
                learnt,
                100 * self.stats.abandon_rate,
            )

    async def run(self, until: float | None = None, stop_when_done: bool = False) -> None:
        """Dial while the campaign is RUNNING; return when it is STOPPED (or at `until`).

        With `stop_when_done`, return once the hopper is empty and no call is in flight.
        """
        await self.prepare()
        next_status_poll = 0.0
        while not self._stopping.is_set():
            now = self.clock()
            if until is not None and now >= until:
                break
            if now >= next_status_poll:
                self.status = await get_status(self.sessions, self.campaign_id)
                await self.reconciler.check_watched()
                if await self._list_finished():
                    log.info("campaign %s: no debtor left to dial, finished", self.campaign_id)
                    await self.set_status(CampaignStatus.FINISHED)
                next_status_poll = now + STATUS_POLL_S
            if self.status in (CampaignStatus.STOPPED, CampaignStatus.FINISHED):
                break
            if self.status is CampaignStatus.RUNNING:
                await self.tick()
                if stop_when_done and self._done():
                    break
            await self._sleep(self.settings.tick_s)
        await self.wind_down()

    def _out_of_work(self) -> bool:
        """The last claim got nothing and no call is in flight or being reconciled."""
        return self.figures.hopper_dry and not self.flow.busy and not self.reconciler.watched

    async def _list_finished(self) -> bool:
        """Out of work now, and no debtor left for later either."""
        if self.status is not CampaignStatus.RUNNING or not self._out_of_work():
            return False
        return not await anything_left(self.sessions, self.campaign_id)

    def _done(self) -> bool:
        if not self._out_of_work():
            self.figures.empty_hopper_ticks = 0
            return False
        self.figures.empty_hopper_ticks += 1
        # A few empty ticks in a row: retries are all in the future.
        return self.figures.empty_hopper_ticks >= 3

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    def request_stop(self) -> None:
        self._stopping.set()

    async def wind_down(self, timeout_s: float = 120.0) -> None:
        """No new calls; wait for the calls in flight to end (they are people on the line)."""
        deadline = self.clock() + timeout_s
        while self.flow.busy and self.clock() < deadline:
            await asyncio.sleep(0.2)
        await self.flow.drain(5.0)

    # ----- one decision ---------------------------------------------------------------
    def snapshot(self) -> PacingSnapshot:
        now = self.clock()
        ringing = self.flow.ringing()
        return PacingSnapshot(
            now=now,
            agents_logged_in=self.acd.logged_in(),
            agents_ready=self.acd.free_now(),
            busy_agents_free_in=self.acd.busy_agents_free_in(),
            calls_ringing=len(ringing),
            calls_waiting_for_agent=self.flow.waiting_for_agent(),
            ringing_elapsed=[now - c.dialled_at for c in ringing],
            calls_in_ivr=self.flow.in_ivr(),
        )

    async def tick(self) -> int:
        """Decide, claim and originate; returns how many calls were placed."""
        self.figures.ticks += 1
        if self.settings.dial_mode is DialMode.PREVIEW:
            return 0  # agents dial from their screen (PreviewDesk)
        decision = self.engine.decide(self.snapshot(), self.stats)
        self.figures.last_decision = decision
        if decision.dial > 0 or self.figures.ticks % 10 == 0:
            self._publish_decision(decision)
        if decision.dial <= 0:
            return 0
        claims = await self.hopper.claim(decision.dial)
        self.figures.hopper_dry = not claims
        for claim in claims:
            await self.flow.dial(claim)
        self.figures.dialled += len(claims)
        return len(claims)

    def _publish_decision(self, decision: PacingDecision) -> None:
        self.publish(
            {
                "type": "pacing",
                "campaign_id": self.campaign_id,
                "at": time.time(),
                "dial": decision.dial,
                "ratio": round(decision.ratio, 3),
                "mode": decision.mode.value,
                "reason": decision.reason,
                "predicted_abandon_pct": round(100 * decision.predicted_abandon, 3),
                "abandon_pct": round(100 * decision.abandon_rate, 3),
            }
        )

    async def set_status(self, status: CampaignStatus) -> None:
        await set_status(self.sessions, self.campaign_id, status)
        self.status = status
        self.publish({"type": "campaign", "campaign_id": self.campaign_id, "status": status.value})
