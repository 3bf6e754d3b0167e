"""The hopper: claims the next numbers to dial, by priority, within the compliance rules.

Callbacks due come first, then fresh leads, then recycled debtors. A claim is one transaction
that marks the debtor DIALING and inserts its CallAttempt (state DECIDED), so the attempt
exists before any Originate and several workers never dial the same debtor:
- PostgreSQL: candidate rows are locked with SELECT ... FOR NO KEY UPDATE SKIP LOCKED, so
  concurrent workers each get different debtors without waiting;
- SQLite: one writer at a time; the claim is a guarded UPDATE (status unchanged since read)
  in a write transaction, so a row another worker claimed first is simply not ours.
Debtors found not callable now are pushed to the time they become callable, so the next scan
does not read them again. A claim is one read per priority class it needs (hopper_facts.py)
and one write (hopper_claims.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.campaign.attempts import new_action_id
from dialer.campaign.compliance import Block, decide
from dialer.campaign.hopper_claims import Deferral, Pick, write_claims
from dialer.campaign.hopper_facts import Candidate, load_candidates
from dialer.campaign.recycle import HOPPER_CLASSES, DebtorStatus
from dialer.campaign.settings import CampaignSettings
from dialer.db.types import utcnow

log = logging.getLogger(__name__)
# Blocks that never lift by themselves: the debtor leaves the hopper.
_FINAL = {Block.DNC, Block.PHONE_BAD, Block.NO_PHONE}


@dataclass(frozen=True)
class Claim:
    """One number to dial now; its CallAttempt row is already committed (state DECIDED)."""

    attempt_id: int
    action_id: str
    campaign_id: int
    debtor_id: int
    phone_id: int
    number_e164: str
    timezone: str
    agent_login: str | None = None  # a callback promised by this agent goes to them first


async def begin_write(session: AsyncSession) -> None:
    """Take SQLite's write lock first, so a read-then-write transaction cannot hit a stale
    snapshot (SQLITE_BUSY) when another connection wrote meanwhile. PostgreSQL needs
    nothing: row locks do that job (its connections plan for actual values, see engine.py)."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(text("UPDATE campaign SET id = id WHERE 0"))


class Hopper:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        campaign_id: int,
        settings: CampaignSettings,
        scan_factor: int = 2,
    ) -> None:
        self._sessions = sessions
        self.campaign_id = campaign_id
        self.settings = settings
        self._scan_factor = scan_factor

    async def claim(self, count: int, now: datetime | None = None) -> list[Claim]:
        """Claim up to `count` debtors (one number each) and commit their attempts."""
        if count <= 0:
            return []
        now = now or utcnow()
        picks: list[Pick] = []
        deferrals: list[Deferral] = []
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            for status in HOPPER_CLASSES:
                need = count - len(picks)
                if need <= 0:
                    break
                candidates = await load_candidates(
                    session,
                    self.campaign_id,
                    status,
                    need * self._scan_factor,
                    now,
                    self.settings.list_order,
                )
                self._sort(candidates, status, need, now, picks, deferrals)
            attempts = await write_claims(session, self.campaign_id, picks, deferrals, now)
        claims = [
            self._claim(pick, attempts[pick.debtor_id])
            for pick in picks
            if pick.debtor_id in attempts
        ]
        if claims:
            log.debug("campaign %s: claimed %d numbers", self.campaign_id, len(claims))
        return claims

    def _sort(
        self,
        candidates: Iterable[Candidate],
        status: DebtorStatus,
        need: int,
        now: datetime,
        picks: list[Pick],
        deferrals: list[Deferral],
    ) -> None:
        """Pick up to `need` callable candidates, in scan order; defer the uncallable ones
        met on the way (those after the last pick stay as they are for the next scan)."""
        wanted = len(picks) + need
        for candidate in candidates:
            if len(picks) >= wanted:
                break
            debtor = candidate.facts
            verdict = decide(debtor, now, self.settings, candidate.dnc)
            if verdict.phone is not None:
                action_id = new_action_id(self.campaign_id)
                picks.append(
                    Pick(status, debtor.id, verdict.phone, action_id, candidate.agent_login)
                )
            elif verdict.retry_at is not None:
                deferrals.append(Deferral(status, debtor.id, verdict.retry_at))
            elif set(verdict.blocks) <= _FINAL:
                deferrals.append(Deferral(status, debtor.id, None, DebtorStatus.EXHAUSTED))

    def _claim(self, pick: Pick, attempt_id: int) -> Claim:
        return Claim(
            attempt_id=attempt_id,
            action_id=pick.action_id,
            campaign_id=self.campaign_id,
            debtor_id=pick.debtor_id,
            phone_id=pick.phone.id,
            number_e164=pick.phone.number_e164,
            timezone=pick.phone.timezone,
            agent_login=pick.agent_login,
        )
