"""Preview dialling: the agent sees the next case first, then clicks to dial it.

`next_case` holds the agent (RESERVED) and claims one debtor from the hopper (the attempt is
committed as DECIDED, so no other agent or worker gets it); `dial` originates it, and whoever
answers goes straight to that agent; `skip` gives the case back to the list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from acd import AgentState, Reservation
from dialer.campaign.attempts import AttemptState
from dialer.campaign.hopper import Claim, begin_write
from dialer.campaign.recycle import DebtorStatus
from dialer.campaign.runner import CampaignRunner
from dialer.db.models import CallAttempt, Debtor
from dialer.db.types import utcnow
from dialer.web.ports import ControlError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreviewCase:
    attempt_id: int
    debtor_id: int
    account_id: str
    name: str
    balance: Decimal
    currency: str
    number_e164: str


class PreviewDesk:
    def __init__(self, runner: CampaignRunner) -> None:
        self.runner = runner
        self._held: dict[str, tuple[Claim, Reservation]] = {}

    async def next_case(self, login: str) -> PreviewCase | None:
        """Hold `login` and the next debtor; None when the list has nothing callable now."""
        if login in self._held:
            return await self._case(self._held[login][0])
        acd = self.runner.acd
        if acd.state_of(login) is not AgentState.READY:
            raise ControlError(f"agent {login} is not ready")
        others = [row["login"] for row in acd.agent_states() if row["login"] != login]
        reservation = acd.reserve(self.runner.settings.skills or None, exclude=others)
        if reservation is None:
            raise ControlError(f"agent {login} lacks the campaign's skills")
        claims = await self.runner.hopper.claim(1)
        if not claims:
            acd.release(reservation)
            return None
        self._held[login] = (claims[0], reservation)
        return await self._case(claims[0])

    async def dial(self, login: str) -> int:
        """Dial the held case; returns its attempt id."""
        held = self._held.pop(login, None)
        if held is None:
            raise ControlError(f"agent {login} has no case to dial: ask for the next one")
        claim, reservation = held
        await self.runner.flow.dial(claim, reservation)
        return claim.attempt_id

    async def skip(self, login: str) -> None:
        """Give the case back to the list (tried again within the hour) and free the agent."""
        held = self._held.pop(login, None)
        if held is None:
            return
        claim, reservation = held
        self.runner.acd.release(reservation)
        async with self.runner.sessions() as session, session.begin():
            await begin_write(session)
            attempt = await session.get(CallAttempt, claim.attempt_id)
            debtor = await session.get(Debtor, claim.debtor_id)
            if attempt is not None and attempt.state == AttemptState.DECIDED.value:
                # Never dialled: the row goes, so caps and penetration do not count it.
                await session.delete(attempt)
            if debtor is not None and debtor.status == DebtorStatus.DIALING.value:
                debtor.status = DebtorStatus.READY.value
                debtor.next_call_at = utcnow() + timedelta(hours=1)

    async def _case(self, claim: Claim) -> PreviewCase:
        async with self.runner.sessions() as session:
            debtor = await session.get(Debtor, claim.debtor_id)
        if debtor is None:
            raise ControlError(f"debtor {claim.debtor_id} is gone")
        return PreviewCase(
            attempt_id=claim.attempt_id,
            debtor_id=debtor.id,
            account_id=debtor.account_id,
            name=f"{debtor.first_name} {debtor.last_name}".strip(),
            balance=debtor.balance,
            currency=debtor.currency,
            number_e164=claim.number_e164,
        )
